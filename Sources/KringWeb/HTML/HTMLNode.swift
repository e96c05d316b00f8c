import NIOCore

/// A piece of HTML built in Swift. Text is always escaped and every attribute value is escaped, so
/// member-typed content cannot become markup through a view. URLs enter attributes only as
/// `SafeURL`. The one way to insert prepared markup is `TrustedHTML`, made by the Markdown
/// sanitiser or by Kring's own code.
///
/// Kring uses this small builder instead of Plot: Plot 0.14 writes attribute values unescaped and
/// passes `javascript:` URLs and entity references through, so every call site would have to
/// remember to escape; here the unsafe form cannot be written.
public indirect enum HTMLNode: Sendable {
    case element(name: String, attributes: [HTMLAttribute], children: [HTMLNode], isVoid: Bool)
    case text(String)
    case trusted(TrustedHTML)
    case fragment([HTMLNode])

    public static let empty = HTMLNode.fragment([])

    /// Renders the node as HTML.
    public func render() -> String {
        var output = ""
        output.reserveCapacity(4096)
        render(into: &output)
        return output
    }

    /// Renders the node as HTML into a response's bytes: a page goes out without being built as a
    /// `String` first and copied (a signed-in topic page is 280 kB).
    public func render(into buffer: inout ByteBuffer) {
        write(to: &buffer)
    }

    func render(into output: inout String) {
        write(to: &output)
    }

    private func write<Output: HTMLOutput>(to output: inout Output) {
        switch self {
        case .text(let text):
            HTMLEscaping.append(text, quotes: false, to: &output)
        case .trusted(let html):
            output.append(html.markup)
        case .fragment(let nodes):
            for node in nodes { node.write(to: &output) }
        case .element(let name, let attributes, let children, let isVoid):
            output.append("<")
            output.append(name)
            for attribute in attributes {
                output.append(" ")
                output.append(attribute.name)
                if let value = attribute.value {
                    output.append("=\"")
                    HTMLEscaping.append(value, quotes: true, to: &output)
                    output.append("\"")
                }
            }
            output.append(">")
            guard !isVoid else { return }
            for child in children { child.write(to: &output) }
            output.append("</")
            output.append(name)
            output.append(">")
        }
    }
}

/// Where rendered markup goes: a `String`, or the bytes of a response.
protocol HTMLOutput {
    mutating func append(_ text: String)
    mutating func append(contentsOf text: Substring)
}

extension String: HTMLOutput {}

extension ByteBuffer: HTMLOutput {
    mutating func append(_ text: String) { writeString(text) }
    mutating func append(contentsOf text: Substring) { writeSubstring(text) }
}

/// Markup that is known to be safe: produced by the Markdown sanitiser or written by Kring itself.
public struct TrustedHTML: Sendable, Equatable {
    public let markup: String

    /// Only for markup that Kring's own code produced or that passed the sanitiser.
    public init(sanitizedOrOwnMarkup markup: String) { self.markup = markup }
}

/// The escaping rules, in one place. They work on UTF-8 bytes: the five characters they replace
/// are ASCII, which never occurs inside a multi-byte sequence, so no character is looked at as a
/// grapheme (that made escaping a fifth of a topic page's render time).
public enum HTMLEscaping {
    /// Escapes text for an element body. Every `&` is escaped, so typed entity references show as typed.
    public static func text(_ string: String) -> String {
        var result = ""
        append(string, quotes: false, to: &result)
        return result
    }

    /// Escapes a value for a double-quoted attribute.
    public static func attribute(_ string: String) -> String {
        var result = ""
        append(string, quotes: true, to: &result)
        return result
    }

    /// Appends `string` escaped to `output`; `quotes` also escapes `"` and `'` (attribute values).
    static func append<Output: HTMLOutput>(_ string: String, quotes: Bool, to output: inout Output) {
        var rest = string.utf8.startIndex
        var index = rest
        let utf8 = string.utf8
        while index != utf8.endIndex {
            let replacement: String?
            switch utf8[index] {
            case UInt8(ascii: "<"): replacement = "&lt;"
            case UInt8(ascii: ">"): replacement = "&gt;"
            case UInt8(ascii: "&"): replacement = "&amp;"
            case UInt8(ascii: "\""): replacement = quotes ? "&quot;" : nil
            case UInt8(ascii: "'"): replacement = quotes ? "&#39;" : nil
            default: replacement = nil
            }
            let next = utf8.index(after: index)
            if let replacement {
                output.append(contentsOf: string[rest..<index])
                output.append(replacement)
                rest = next
            }
            index = next
        }
        if rest == utf8.startIndex {
            output.append(string)
        } else {
            output.append(contentsOf: string[rest..<utf8.endIndex])
        }
    }
}

/// An attribute. Values are escaped when rendered; names come only from the constructors below.
public struct HTMLAttribute: Sendable {
    let name: String
    let value: String?

    private init(_ name: String, _ value: String?) {
        self.name = name
        self.value = value
    }

    public static func `class`(_ value: String) -> HTMLAttribute { .init("class", value) }
    public static func id(_ value: String) -> HTMLAttribute { .init("id", value) }
    public static func name(_ value: String) -> HTMLAttribute { .init("name", value) }
    public static func value(_ value: String) -> HTMLAttribute { .init("value", value) }
    public static func type(_ value: String) -> HTMLAttribute { .init("type", value) }
    public static func `for`(_ value: String) -> HTMLAttribute { .init("for", value) }
    public static func placeholder(_ value: String) -> HTMLAttribute { .init("placeholder", value) }
    public static func autocomplete(_ value: String) -> HTMLAttribute { .init("autocomplete", value) }
    public static func lang(_ value: String) -> HTMLAttribute { .init("lang", value) }
    public static func role(_ value: String) -> HTMLAttribute { .init("role", value) }
    public static func rel(_ value: String) -> HTMLAttribute { .init("rel", value) }
    public static func title(_ value: String) -> HTMLAttribute { .init("title", value) }
    public static func alt(_ value: String) -> HTMLAttribute { .init("alt", value) }
    public static func method(_ value: String) -> HTMLAttribute { .init("method", value) }
    public static func rows(_ value: Int) -> HTMLAttribute { .init("rows", String(value)) }
    public static func maxlength(_ value: Int) -> HTMLAttribute { .init("maxlength", String(value)) }
    public static func enctype(_ value: String) -> HTMLAttribute { .init("enctype", value) }
    public static func accept(_ value: String) -> HTMLAttribute { .init("accept", value) }
    public static func list(_ value: String) -> HTMLAttribute { .init("list", value) }
    public static func min(_ value: Int) -> HTMLAttribute { .init("min", String(value)) }
    public static func max(_ value: Int) -> HTMLAttribute { .init("max", String(value)) }
    public static func minlength(_ value: Int) -> HTMLAttribute { .init("minlength", String(value)) }
    public static func datetime(_ value: String) -> HTMLAttribute { .init("datetime", value) }
    public static func scope(_ value: String) -> HTMLAttribute { .init("scope", value) }
    public static func content(_ value: String) -> HTMLAttribute { .init("content", value) }
    public static func charset(_ value: String) -> HTMLAttribute { .init("charset", value) }
    public static func inputmode(_ value: String) -> HTMLAttribute { .init("inputmode", value) }
    public static func tabindex(_ value: Int) -> HTMLAttribute { .init("tabindex", String(value)) }
    /// The granularity of a number input: "any" accepts decimals.
    public static func step(_ value: String) -> HTMLAttribute { .init("step", value) }
    public static func rowspan(_ value: Int) -> HTMLAttribute { .init("rowspan", String(value)) }
    public static func aria(_ name: AriaName, _ value: String) -> HTMLAttribute { .init("aria-\(name.rawValue)", value) }
    public static func href(_ url: SafeURL) -> HTMLAttribute { .init("href", url.value) }
    public static func src(_ url: SafeURL) -> HTMLAttribute { .init("src", url.value) }
    public static func action(_ url: SafeURL) -> HTMLAttribute { .init("action", url.value) }
    public static func formaction(_ url: SafeURL) -> HTMLAttribute { .init("formaction", url.value) }

    /// An SVG geometry or layout attribute of Kring's charts.
    public static func svg(_ name: SVGName, _ value: String) -> HTMLAttribute { .init(name.rawValue, value) }

    static func boolean(_ name: String) -> HTMLAttribute { .init(name, nil) }

    public static let required = HTMLAttribute("required", nil)
    public static let selected = HTMLAttribute("selected", nil)
    public static let checked = HTMLAttribute("checked", nil)
    public static let disabled = HTMLAttribute("disabled", nil)
    public static let autofocus = HTMLAttribute("autofocus", nil)
    public static let hidden = HTMLAttribute("hidden", nil)
    /// An open `details` element.
    public static let open = HTMLAttribute("open", nil)

    /// The SVG attributes charts use: geometry and text placement, no styles or scripts.
    public enum SVGName: String, Sendable {
        case viewBox, x, y, width, height, d, points, cx, cy, r, x1, y1, x2, y2, focusable
        case textAnchor = "text-anchor"
        case preserveAspectRatio
    }

    /// The ARIA attributes Kring uses.
    public enum AriaName: String, Sendable {
        case label, current, describedby, invalid, live, hidden, labelledby
    }

    /// `data-…` attributes for Kring's own scripts; the names are fixed here.
    public static func data(_ name: DataName, _ value: String) -> HTMLAttribute { .init("data-" + name.rawValue, value) }

    public enum DataName: String, Sendable {
        case live
        case liveTopic = "live-topic"
        case liveReplyText = "live-reply-text"
    }
}

/// A URL allowed into `href`, `src` and `action`: http(s), mailto, or a path on this site.
public struct SafeURL: Sendable, Equatable {
    public private(set) var value: String

    /// A path on this site, such as `/members/anna`. Returns nil for anything that is not a plain path.
    public init?(path: String) {
        // Byte by byte: control characters and the backslash are ASCII, and a page builds hundreds
        // of links (`String.contains` went through Foundation's string search for each).
        let bytes = path.utf8
        guard bytes.first == UInt8(ascii: "/"), !bytes.dropFirst().starts(with: [UInt8(ascii: "/")]),
            !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\\") })
        else { return nil }
        self.value = path
    }

    /// An absolute URL typed by a member or an admin. Only http, https and mailto are let through.
    public init?(external: String) {
        let trimmed = external.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return nil }
        let lower = trimmed.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") || lower.hasPrefix("mailto:") else { return nil }
        self.value = trimmed
    }

    /// A link to an element on the same page, such as `#main`.
    public static func fragment(_ id: String) -> SafeURL {
        var url = SafeURL.to("/")
        let plain = id.utf8.allSatisfy(isPlainIDByte)
        url.value = "#" + (plain ? id : id.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        return url
    }

    /// ASCII letters, digits, `-` and `_`: what Kring's own element ids are made of, checked without
    /// looking at characters.
    private static func isPlainIDByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default: false
        }
    }

    /// A path Kring's own code builds. Falls back to the home page if it is not a plain path.
    public static func to(_ path: String) -> SafeURL {
        SafeURL(path: path) ?? SafeURL(path: "/")!
    }
}
