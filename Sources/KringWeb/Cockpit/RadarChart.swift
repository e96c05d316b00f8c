import Foundation

extension Charts {
    static let radarSize = 360.0

    /// The point at `value` (of `maximum`) on axis `index` of `count`, the first axis pointing up.
    static func radarPoint(_ index: Int, of count: Int, value: Double, maximum: Double) -> (x: Double, y: Double) {
        radarPoint(index, of: count, length: radarRadius * min(max(value / maximum, 0), 1))
    }

    /// Leaves room around the rings for the axis labels.
    static let radarRadius = radarSize / 2 - 60

    private static func radarPoint(_ index: Int, of count: Int, length: Double) -> (x: Double, y: Double) {
        let angle = -Double.pi / 2 + 2 * Double.pi * Double(index) / Double(max(1, count))
        return (radarSize / 2 + length * cos(angle), radarSize / 2 + length * sin(angle))
    }

    /// A radar (spider) chart: one axis per label, rings at each whole step up to `maximum`, and a
    /// polygon per series (a value per axis); the numbers follow in a table, as with every chart.
    static func radar(
        id: String, title: String, description: String, labels: [String], maximum: Double, series: [Series], t: Localizer
    ) -> HTMLNode {
        let count = labels.count
        func points(_ values: [Double]) -> String {
            values.enumerated().map { index, value in
                let point = radarPoint(index, of: count, value: value, maximum: maximum)
                return coordinate(point.x) + "," + coordinate(point.y)
            }.joined(separator: " ")
        }
        let format = { (value: Double) in t.number(Int(value.rounded())) }
        return figure(id: id, title: title, labels: labels, series: series, format: format, t: t, rowHeading: t("maturity.competency")) {
            H.element(
                "svg",
                [
                    .svg(.viewBox, "0 0 \(coordinate(radarSize)) \(coordinate(radarSize))"), .role("img"), .class("chart radar"),
                    .aria(.labelledby, "\(id)-title \(id)-desc"), .svg(.focusable, "false"),
                ]
            ) {
                H.element("title", [.id("\(id)-title")]) { title }
                H.element("desc", [.id("\(id)-desc")]) { description }
                for ring in stride(from: 1.0, through: maximum, by: 1) {
                    H.element("polygon", [.class("chart-grid radar-ring"), .svg(.points, points(Array(repeating: ring, count: count)))]) {
                        []
                    }
                }
                for index in 0..<count {
                    let end = radarPoint(index, of: count, value: maximum, maximum: maximum)
                    let label = radarPoint(index, of: count, length: radarRadius + 28)
                    H.element(
                        "line",
                        [
                            .class("chart-grid"), .svg(.x1, coordinate(radarSize / 2)), .svg(.y1, coordinate(radarSize / 2)),
                            .svg(.x2, coordinate(end.x)), .svg(.y2, coordinate(end.y)),
                        ]
                    ) { [] }
                    H.element(
                        "text",
                        [
                            .class("chart-label"), .svg(.x, coordinate(label.x)), .svg(.y, coordinate(label.y + 4)),
                            .svg(.textAnchor, "middle"),
                        ]
                    ) { labels[index] }
                }
                for line in series {
                    H.element("polygon", [.class("radar-area \(line.styleClass)"), .svg(.points, points(line.values))]) { [] }
                }
            }
            if series.count > 1 {
                H.ul(.class("chart-legend")) {
                    for line in series {
                        H.li {
                            H.span(.class("legend-swatch \(line.styleClass)"), .aria(.hidden, "true")) {}
                            line.name
                        }
                    }
                }
            }
        }
    }
}
