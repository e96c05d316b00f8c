import Foundation
import KringCore
import Testing

@testable import KringWeb

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The SVG chart module, read back as XML: what a screen reader announces, where each mark sits,
/// and the numbers of the data table. Coordinates are worked out by hand from the chart geometry
/// (640 × 220, margins 44 left, 12 right, 12 top, 28 bottom: a plot of 584 × 180).
@Suite("SVG charts")
struct ChartTests {
    /// Every element of the first `<svg>` in the markup, with its attributes and text, in order.
    final class SVGReader: NSObject, XMLParserDelegate {
        struct Element {
            let name: String
            let attributes: [String: String]
            var text = ""
        }

        var elements: [Element] = []
        private var open: [Int] = []

        static func read(_ markup: String) throws -> [Element] {
            let start = try #require(markup.range(of: "<svg"))
            let end = try #require(markup.range(of: "</svg>"))
            let reader = SVGReader()
            let parser = XMLParser(data: Data(markup[start.lowerBound..<end.upperBound].utf8))
            parser.delegate = reader
            #expect(parser.parse(), "the SVG is well-formed XML")
            return reader.elements
        }

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            elements.append(Element(name: name, attributes: attributes))
            open.append(elements.count - 1)
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let index = open.last { elements[index].text += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            open.removeLast()
        }
    }

    static let t = Localizer(language: .en, catalog: try! Catalog.bundled(), timeZone: .gmt)

    static func dataRows(_ markup: String) -> [[String]] {
        let body = markup.components(separatedBy: "<tbody>").last?.components(separatedBy: "</tbody>").first ?? ""
        return body.components(separatedBy: "<tr>").dropFirst().map { row in
            row.components(separatedBy: ["<", ">"]).enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
                .filter { !$0.isEmpty }
        }
    }

    @Test func theAxisRunsToARoundNumber() {
        #expect(Charts.scale(max: 0) == (top: 1, step: 0.25), "an empty chart still has an axis")
        #expect(Charts.scale(max: 7) == (top: 8, step: 2))
        #expect(Charts.scale(max: 10) == (top: 20, step: 5))
        #expect(Charts.scale(max: 0.3) == (top: 0.4, step: 0.1))
        #expect(Charts.scale(max: 1234) == (top: 2000, step: 500))
    }

    /// Radar geometry: a 360 × 360 square, centre (180, 180), rings out to a radius of 120.
    @Test func aRadarChartPutsEachValueOnItsAxis() throws {
        let markup = Charts.radar(
            id: "maturity", title: "Stages", description: "Per competency", labels: ["Strategy", "Culture", "Tools", "Metrics"], maximum: 4,
            series: [.init(name: "Now", values: [4, 0, 2, 1], styleClass: "series-1")], t: Self.t
        ).render()
        let svg = try SVGReader.read(markup)
        #expect(svg.first?.attributes["role"] == "img")
        let rings = svg.filter { $0.attributes["class"] == "chart-grid radar-ring" }
        #expect(rings.count == 4, "a ring per stage")
        #expect(rings.last?.attributes["points"] == "180,60 300,180 180,300 60,180", "the outer ring at stage 4")
        let area = try #require(svg.first { $0.attributes["class"] == "radar-area series-1" })
        // Up 4 of 4 (the full 120), right 0, down 2 of 4 (60), left 1 of 4 (30).
        #expect(area.attributes["points"] == "180,60 180,180 180,240 150,180")
        #expect(svg.filter { $0.name == "text" }.map(\.text) == ["Strategy", "Culture", "Tools", "Metrics"])
        #expect(Self.dataRows(markup) == [["Strategy", "4"], ["Culture", "0"], ["Tools", "2"], ["Metrics", "1"]])
    }

    @Test func aLineChartPlacesEachPointAndNamesItself() throws {
        let markup = Charts.line(
            id: "visitors", title: "Visitors <per day>", description: "DAU & MAU", labels: ["1 Mar", "2 Mar", "3 Mar"],
            series: [
                .init(name: "DAU", values: [0, 5, 10], styleClass: "series-1"),
                .init(name: "MAU", values: [10, 10, 10], styleClass: "series-2"),
            ], format: { String(Int($0)) }, t: Self.t
        ).render()
        let svg = try SVGReader.read(markup)
        let root = try #require(svg.first)
        #expect(root.attributes["role"] == "img")
        #expect(root.attributes["aria-labelledby"] == "visitors-title visitors-desc")
        #expect(svg.first { $0.name == "title" }?.text == "Visitors <per day>", "escaped in the markup, read back as text")
        #expect(!markup.contains("<per day>"))
        #expect(svg.first { $0.name == "desc" }?.text == "DAU & MAU")
        // Top 20 (10 rounds up to 4 ticks of 5): 10 sits halfway, at y = 12 + 180 / 2 = 102; 0 at 192.
        let lines = svg.filter { $0.name == "polyline" }.map { $0.attributes["points"] }
        #expect(lines == ["44,192 336,147 628,102", "44,102 336,102 628,102"])
        #expect(svg.filter { $0.name == "text" }.map(\.text).prefix(5) == ["0", "5", "10", "15", "20"], "the y axis in steps of 5")
        #expect(markup.contains(#"<li><span class="legend-swatch series-2" aria-hidden="true"></span>MAU</li>"#))
        #expect(Self.dataRows(markup) == [["1 Mar", "0", "10"], ["2 Mar", "5", "10"], ["3 Mar", "10", "10"]])
    }

    @Test func aBarChartDrawsABarPerNonZeroDay() throws {
        let markup = Charts.bars(
            id: "signups", title: "Sign-ups", description: "Per day", labels: ["Mon", "Tue", "Wed", "Thu"], values: [0, 4, 2, 1],
            name: "Sign-ups", t: Self.t
        ).render()
        let bars = try SVGReader.read(markup).filter { $0.name == "rect" }
        // Four slots of 146 wide, bars 70 % of a slot; top 4 so 4 fills the plot's 180 and 2 half of it.
        #expect(bars.count == 3, "no bar for a zero")
        #expect(bars.map { $0.attributes["x"] } == ["211.9", "357.9", "503.9"])
        #expect(bars.map { $0.attributes["height"] } == ["180", "90", "45"])
        #expect(bars.map { $0.attributes["y"] } == ["12", "102", "147"])
        #expect(Self.dataRows(markup).map(\.last) == ["0", "4", "2", "1"])
    }

    @Test func theLorenzCurveBowsUnderTheDiagonal() throws {
        let markup = Charts.lorenz(
            id: "lorenz", title: "Who writes", description: "Gini 0.25", points: [(0, 0), (0.5, 0.25), (1, 1)], t: Self.t
        ).render()
        let svg = try SVGReader.read(markup)
        // A 240 square with 32 padding: (people, share) → (32 + 176 · people, 208 − 176 · share).
        #expect(svg.first { $0.name == "polyline" }?.attributes["points"] == "32,208 120,164 208,32")
        let diagonal = try #require(svg.first { $0.name == "line" })
        #expect(
            [diagonal.attributes["x1"], diagonal.attributes["y1"], diagonal.attributes["x2"], diagonal.attributes["y2"]] == [
                "32", "208", "208", "32",
            ])
        #expect(Self.dataRows(markup).map(\.last) == ["0%", "25%", "100%"])
    }

    @Test func aHeatMapShadesEachCellByItsShare() throws {
        let markup = Charts.heatMap(
            id: "cohorts", title: "Cohorts", description: "Back within", rows: ["Jan", "Feb"], columns: ["Day 1", "7 days"],
            cells: [[0.95, nil], [0.1, 0.55]], t: Self.t, table: H.table(.id("cohort-table")) { [] }
        ).render()
        let svg = try SVGReader.read(markup)
        let cells = svg.filter { $0.name == "rect" }
        #expect(
            cells.map { $0.attributes["class"] } == ["heat-cell heat-9", "heat-cell heat-none", "heat-cell heat-1", "heat-cell heat-5"])
        #expect(svg.filter { $0.name == "text" }.map(\.text) == ["Day", "1", "7", "days", "Jan", "95%", "Feb", "10%", "55%"])
        #expect(Charts.halves("Back within 30 days") == ["Back within", "30 days"])
        #expect(Charts.halves("Joined") == ["Joined"])
        #expect(markup.contains(#"id="cohort-table""#), "the same figures as a table under the chart")
    }
}
