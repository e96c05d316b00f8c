import Foundation

/// Server-side SVG charts for the cockpit: lines, bars, heat maps and the Lorenz curve. Each chart is a
/// `figure` with an accessible SVG (role img, a title and a description) and its numbers as a data
/// table underneath, so it reads without sight, without CSS and on paper. Colours come from classes
/// in kring.css (the Content-Security-Policy allows no inline styles).
enum Charts {
    /// One line of a line chart.
    struct Series {
        let name: String
        let values: [Double]
        /// `series-1` … `series-4` in kring.css.
        let styleClass: String
    }

    static let width = 640.0
    static let height = 220.0
    static let margin = (left: 44.0, right: 12.0, top: 12.0, bottom: 28.0)

    /// A number for an SVG attribute: at most two decimals, a dot as separator.
    static func coordinate(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// A round upper bound for the y axis and its tick step (1, 2 or 5 × 10ⁿ); counts (`wholeNumbers`)
    /// step by at least 1, so no label repeats.
    static func scale(max value: Double, ticks: Int = 4, wholeNumbers: Bool = false) -> (top: Double, step: Double) {
        guard value > 0 else { return wholeNumbers ? (Double(ticks), 1) : (1, 0.25) }
        let rough = value / Double(ticks)
        let magnitude = pow(10, floor(log10(rough)))
        var step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        if wholeNumbers { step = max(1, step) }
        return (step * Double(ticks), step)
    }

    /// The frame shared by line and bar charts: the accessible SVG with grid lines and y labels.
    private static func frame(
        id: String, title: String, description: String, top: Double, step: Double, format: (Double) -> String,
        xLabels: [(x: Double, text: String)], @HTMLBuilder content: () -> [HTMLNode]
    ) -> HTMLNode {
        let plotHeight = height - margin.top - margin.bottom
        return H.element(
            "svg",
            [
                .svg(.viewBox, "0 0 \(coordinate(width)) \(coordinate(height))"), .role("img"), .class("chart"),
                .aria(.labelledby, "\(id)-title \(id)-desc"), .svg(.focusable, "false"),
            ]
        ) {
            H.element("title", [.id("\(id)-title")]) { title }
            H.element("desc", [.id("\(id)-desc")]) { description }
            for tick in stride(from: 0.0, through: top + step / 2, by: step) {
                let y = margin.top + plotHeight * (1 - tick / top)
                H.element(
                    "line",
                    [
                        .class("chart-grid"), .svg(.x1, coordinate(margin.left)), .svg(.x2, coordinate(width - margin.right)),
                        .svg(.y1, coordinate(y)), .svg(.y2, coordinate(y)),
                    ]
                ) { [] }
                H.element(
                    "text",
                    [.class("chart-label"), .svg(.x, coordinate(margin.left - 6)), .svg(.y, coordinate(y + 4)), .svg(.textAnchor, "end")]
                ) { format(tick) }
            }
            for label in xLabels {
                H.element(
                    "text",
                    [.class("chart-label"), .svg(.x, coordinate(label.x)), .svg(.y, coordinate(height - 8)), .svg(.textAnchor, "middle")]
                ) { label.text }
            }
            content()
        }
    }

    /// Where the i-th of n points sits horizontally.
    private static func x(_ index: Int, of count: Int) -> Double {
        let plotWidth = width - margin.left - margin.right
        return count <= 1 ? margin.left + plotWidth / 2 : margin.left + plotWidth * Double(index) / Double(count - 1)
    }

    /// Some of the labels, so they never crowd: at most about eight.
    private static func sparse(_ labels: [String], position: (Int) -> Double) -> [(x: Double, text: String)] {
        let every = max(1, Int((Double(labels.count) / 8).rounded(.up)))
        return labels.indices.filter { $0 % every == 0 }.map { (position($0), labels[$0]) }
    }

    static func line(
        id: String, title: String, description: String, labels: [String], series: [Series], format: @escaping (Double) -> String,
        wholeNumbers: Bool = false, t: Localizer
    ) -> HTMLNode {
        let (top, step) = scale(max: series.flatMap(\.values).max() ?? 0, wholeNumbers: wholeNumbers)
        let plotHeight = height - margin.top - margin.bottom
        let count = labels.count
        return figure(id: id, title: title, labels: labels, series: series, format: format, t: t) {
            frame(
                id: id, title: title, description: description, top: top, step: step, format: format,
                xLabels: sparse(labels) { x($0, of: count) }
            ) {
                for line in series {
                    let points = line.values.enumerated().map { index, value in
                        "\(coordinate(x(index, of: count))),\(coordinate(margin.top + plotHeight * (1 - value / top)))"
                    }
                    H.element("polyline", [.class("chart-line \(line.styleClass)"), .svg(.points, points.joined(separator: " "))]) { [] }
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

    static func bars(id: String, title: String, description: String, labels: [String], values: [Double], name: String, t: Localizer)
        -> HTMLNode
    {
        let (top, step) = scale(max: values.max() ?? 0, wholeNumbers: true)
        let plotWidth = width - margin.left - margin.right
        let plotHeight = height - margin.top - margin.bottom
        let slot = plotWidth / Double(max(1, values.count))
        let format = { (value: Double) in t.number(Int(value.rounded())) }
        let series = [Series(name: name, values: values, styleClass: "series-1")]
        return figure(id: id, title: title, labels: labels, series: series, format: format, t: t) {
            frame(
                id: id, title: title, description: description, top: top, step: step, format: format,
                xLabels: sparse(labels) { margin.left + slot * (Double($0) + 0.5) }
            ) {
                for (index, value) in values.enumerated() where value > 0 {
                    let barHeight = plotHeight * value / top
                    H.element(
                        "rect",
                        [
                            .class("chart-bar series-1"), .svg(.x, coordinate(margin.left + slot * Double(index) + slot * 0.15)),
                            .svg(.y, coordinate(margin.top + plotHeight - barHeight)), .svg(.width, coordinate(slot * 0.7)),
                            .svg(.height, coordinate(barHeight)),
                        ]
                    ) { [] }
                }
            }
        }
    }

    /// The Lorenz curve of contributions with the line of equality.
    static func lorenz(id: String, title: String, description: String, points: [(people: Double, share: Double)], t: Localizer) -> HTMLNode
    {
        let size = 240.0
        let pad = 32.0
        let span = size - 2 * pad
        let path = points.map { "\(coordinate(pad + span * $0.people)),\(coordinate(size - pad - span * $0.share))" }
        let series = [Series(name: t("cockpit.lorenz.share"), values: points.map(\.share), styleClass: "series-1")]
        let percent: (Double) -> String = { t.percent($0) }
        let labels = points.map { t.percent($0.people) }
        return figure(
            id: id, title: title, labels: labels, series: series, format: percent, t: t,
            compact: true
        ) {
            H.element(
                "svg",
                [
                    .svg(.viewBox, "0 0 \(coordinate(size)) \(coordinate(size))"), .role("img"), .class("chart chart-square"),
                    .aria(.labelledby, "\(id)-title \(id)-desc"), .svg(.focusable, "false"),
                ]
            ) {
                H.element("title", [.id("\(id)-title")]) { title }
                H.element("desc", [.id("\(id)-desc")]) { description }
                H.element(
                    "rect",
                    [
                        .class("chart-area"), .svg(.x, coordinate(pad)), .svg(.y, coordinate(pad)), .svg(.width, coordinate(span)),
                        .svg(.height, coordinate(span)),
                    ]
                ) { [] }
                H.element(
                    "line",
                    [
                        .class("chart-equality"), .svg(.x1, coordinate(pad)), .svg(.y1, coordinate(size - pad)),
                        .svg(.x2, coordinate(size - pad)),
                        .svg(.y2, coordinate(pad)),
                    ]
                ) { [] }
                if !path.isEmpty {
                    H.element("polyline", [.class("chart-line series-1"), .svg(.points, path.joined(separator: " "))]) { [] }
                }
                H.element(
                    "text",
                    [.class("chart-label"), .svg(.x, coordinate(size / 2)), .svg(.y, coordinate(size - 8)), .svg(.textAnchor, "middle")]
                ) {
                    t("cockpit.lorenz.people")
                }
            }
        }
    }

    /// A grid of shares (0…1) shaded from light to dark, each cell labelled with its percentage;
    /// nil cells are left blank. `table` is the same grid as an HTML table, shown under the chart.
    static func heatMap(
        id: String, title: String, description: String, rows: [String], columns: [String], cells: [[Double?]], t: Localizer,
        table: HTMLNode
    ) -> HTMLNode {
        let rowLabelWidth = 124.0
        let headerHeight = 44.0
        let cellHeight = 22.0
        let cellWidth = (width - rowLabelWidth - margin.right) / Double(max(1, columns.count))
        let totalHeight = headerHeight + cellHeight * Double(rows.count) + 4
        return H.element("figure", [.class("chart-figure"), .id(id)]) {
            H.element(
                "svg",
                [
                    .svg(.viewBox, "0 0 \(coordinate(width)) \(coordinate(totalHeight))"), .role("img"), .class("chart chart-heat"),
                    .aria(.labelledby, "\(id)-title \(id)-desc"), .svg(.focusable, "false"),
                ]
            ) {
                H.element("title", [.id("\(id)-title")]) { title }
                H.element("desc", [.id("\(id)-desc")]) { description }
                for (index, column) in columns.enumerated() {
                    // Two lines, split near the middle, so long headings never run into each other.
                    for (line, text) in halves(column).enumerated() {
                        H.element(
                            "text",
                            [
                                .class("chart-label"), .svg(.x, coordinate(rowLabelWidth + cellWidth * (Double(index) + 0.5))),
                                .svg(.y, coordinate(headerHeight - 22 + Double(line) * 13)), .svg(.textAnchor, "middle"),
                            ]
                        ) { text }
                    }
                }
                for (row, label) in rows.enumerated() {
                    let y = headerHeight + cellHeight * Double(row)
                    H.element(
                        "text",
                        [
                            .class("chart-label"), .svg(.x, coordinate(rowLabelWidth - 8)), .svg(.y, coordinate(y + 15)),
                            .svg(.textAnchor, "end"),
                        ]
                    ) { label }
                    for (column, share) in (row < cells.count ? cells[row] : []).enumerated() where column < columns.count {
                        let x = rowLabelWidth + cellWidth * Double(column)
                        H.element(
                            "rect",
                            [
                                .class(share.map { "heat-cell heat-\(min(9, max(0, Int($0 * 10))))" } ?? "heat-cell heat-none"),
                                .svg(.x, coordinate(x + 1)), .svg(.y, coordinate(y + 1)), .svg(.width, coordinate(cellWidth - 2)),
                                .svg(.height, coordinate(cellHeight - 2)),
                            ]
                        ) { [] }
                        if let share {
                            H.element(
                                "text",
                                [
                                    .class(share >= 0.6 ? "chart-label heat-text-dark" : "chart-label"),
                                    .svg(.x, coordinate(x + cellWidth / 2)), .svg(.y, coordinate(y + 15)), .svg(.textAnchor, "middle"),
                                ]
                            ) { t.percent(share) }
                        }
                    }
                }
            }
            table
        }
    }

    /// A small trend line with the target as a dashed line, for a goal; its title says what it shows.
    static func sparkline(id: String, title: String, values: [Double], target: Double) -> HTMLNode {
        let (w, h, pad) = (160.0, 40.0, 3.0)
        let low = min(values.min() ?? target, target)
        let high = max(values.max() ?? target, target)
        let span = high - low == 0 ? 1 : high - low
        func y(_ value: Double) -> Double { pad + (h - 2 * pad) * (1 - (value - low) / span) }
        func x(_ index: Int) -> Double { values.count <= 1 ? w / 2 : pad + (w - 2 * pad) * Double(index) / Double(values.count - 1) }
        return H.element(
            "svg",
            [
                .svg(.viewBox, "0 0 \(coordinate(w)) \(coordinate(h))"), .role("img"), .class("sparkline"),
                .aria(.labelledby, "\(id)-title"),
                .svg(.focusable, "false"), .id(id),
            ]
        ) {
            H.element("title", [.id("\(id)-title")]) { title }
            H.element(
                "line",
                [
                    .class("chart-target"), .svg(.x1, coordinate(pad)), .svg(.x2, coordinate(w - pad)), .svg(.y1, coordinate(y(target))),
                    .svg(.y2, coordinate(y(target))),
                ]
            ) { [] }
            if !values.isEmpty {
                H.element(
                    "polyline",
                    [
                        .class("chart-line series-1"),
                        .svg(
                            .points,
                            values.enumerated().map { "\(coordinate(x($0.offset))),\(coordinate(y($0.element)))" }.joined(separator: " ")),
                    ]
                ) { [] }
            }
        }
    }

    /// A label as two lines broken at the space nearest its middle (one line when it has no space).
    static func halves(_ label: String) -> [String] {
        let words = label.split(separator: " ").map(String.init)
        guard words.count > 1 else { return [label] }
        let split = (1..<words.count).min {
            abs(words[..<$0].joined(separator: " ").count * 2 - label.count)
                < abs(words[..<$1].joined(separator: " ").count * 2 - label.count)
        }!
        return [words[..<split].joined(separator: " "), words[split...].joined(separator: " ")]
    }

    /// The chart with its data table (in a disclosure, open when printing is not an option).
    static func figure(
        id: String, title: String, labels: [String], series: [Series], format: (Double) -> String, t: Localizer, compact: Bool = false,
        rowHeading: String? = nil, @HTMLBuilder chart: () -> [HTMLNode]
    ) -> HTMLNode {
        H.element("figure", [.class(compact ? "chart-figure chart-figure-compact" : "chart-figure"), .id(id)]) {
            chart()
            H.details(.class("chart-data")) {
                H.summary { t("cockpit.data_table") }
                H.table(.class("data-table")) {
                    H.caption(.class("visually-hidden")) { title }
                    H.thead {
                        H.tr {
                            H.th(.scope("col")) { rowHeading ?? t("cockpit.when") }
                            for line in series { H.th(.scope("col")) { line.name } }
                        }
                    }
                    H.tbody {
                        for (index, label) in labels.enumerated() {
                            H.tr {
                                H.th(.scope("row")) { label }
                                for line in series { H.td { index < line.values.count ? format(line.values[index]) : "" } }
                            }
                        }
                    }
                }
            }
        }
    }
}
