import Foundation
import KringCore
import KringStore

/// Documents for the demo's groups: minutes, a checklist, a spreadsheet of figures, one with a
/// second version, so the libraries and their version history have something to show.
extension DemoCommunity {
    static let demoDocuments: [(group: String, folder: String, filename: String, title: String, description: String, versions: [String])] =
        [
            (
                "Zonnepanelen", "Verslagen", "notulen-ledenavond-maart.pdf", "Notulen ledenavond maart",
                "De afspraken van de ledenavond, met de **actiepunten** per werkgroep.",
                ["Notulen ledenavond maart - concept", "Notulen ledenavond maart - vastgesteld"]
            ),
            (
                "Zonnepanelen", "Handleidingen", "checklist-offerte.md", "Checklist: een offerte beoordelen",
                "Wat er in een goede offerte voor zonnepanelen hoort.",
                ["# Checklist offerte\n\n- Aantal panelen en vermogen\n- Omvormer\n- Garantie\n"]
            ),
            (
                "Zonnepanelen", "Gegevens", "opbrengst-per-maand.csv", "Opbrengst per maand (gemiddeld)",
                "Gemiddelde opbrengst van de daken in de wijk, in kWh.", ["maand,kWh\njan,48\nfeb,85\nmrt,190\napr,310\nmei,390\njun,410\n"]
            ),
        ]

    /// Stores the demo documents' files and records them; nothing when no file storage was given.
    func fillDocuments(members: [Member]) async throws -> Int {
        guard let storage = fileStorage else { return 0 }
        let active = members.filter { $0.status == .active }
        guard active.count > 10 else { return 0 }
        var count = 0
        for (index, plan) in Self.demoDocuments.enumerated() {
            guard let group = try await repositories.groups.find(slug: GroupRules.slug(from: plan.group)) else { continue }
            let author = active[2 + index]
            var documentID: UUID?
            for (number, content) in plan.versions.enumerated() {
                let kind = FileKind.claimed(byFilename: plan.filename) ?? .txt
                let bytes = kind == .pdf ? Self.pdf(saying: content) : Array(content.utf8)
                let key = "documents/demo/\(UUID().uuidString.lowercased())"
                try await storage.write(Data(bytes), key: key)
                let file = StoredFile(
                    filename: plan.filename, kind: kind, size: bytes.count, sha256: SHA256Hex.of(bytes), storageKey: key,
                    note: number == 0 ? "" : "Vastgesteld op de ledenavond")
                let date = now.addingTimeInterval(Double(-30 + 10 * number) * 86_400)
                let documents = DocumentRepository(database: repositories.database, clock: .fixed(date))
                if let documentID {
                    try await documents.replaceFile(of: documentID, with: file, by: author)
                } else {
                    documentID = try await documents.create(
                        inGroup: group.id, DocumentDraft(title: plan.title, description: plan.description, folder: plan.folder), file: file,
                        by: author)
                }
            }
            count += 1
        }
        return count
    }

    /// A one-page PDF showing one line of text: small, but a real PDF any viewer opens.
    static func pdf(saying text: String) -> [UInt8] {
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "(", with: "\\(")
            .replacingOccurrences(of: ")", with: "\\)")
        let stream = "BT /F1 18 Tf 72 760 Td (\(escaped)) Tj ET"
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            "<< /Length \(stream.utf8.count) >>\nstream\n\(stream)\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
        var output = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(output.utf8.count)
            output += "\(index + 1) 0 obj\n\(object)\nendobj\n"
        }
        let xref = output.utf8.count
        output += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { output += String(format: "%010d 00000 n \n", offset) }
        output += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Array(output.utf8)
    }
}
