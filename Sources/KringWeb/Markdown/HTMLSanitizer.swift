import Foundation

/// Rewrites HTML so only an allow-list of elements and attributes remains. Anything that is not a
/// well-formed allowed tag is escaped and shows as text; attribute values are re-escaped; URLs
/// must pass `SafeURL`. Unclosed elements are closed, stray closing tags dropped.
struct HTMLSanitizer {
    let linkRel: String

    /// Allowed elements, with the name they are written as (headings step down below the page's own).
    static let elements: [String: String] = [
        "p": "p", "br": "br", "hr": "hr", "strong": "strong", "b": "strong", "em": "em", "i": "em", "del": "del", "s": "del",
        "code": "code", "pre": "pre", "blockquote": "blockquote", "ul": "ul", "ol": "ol", "li": "li", "a": "a", "img": "img",
        "h1": "h3", "h2": "h4", "h3": "h5", "h4": "h6", "h5": "h6", "h6": "h6", "table": "table", "thead": "thead", "tbody": "tbody",
        "tr": "tr", "th": "th", "td": "td",
    ]
    static let voidElements: Set<String> = ["br", "hr", "img"]
    /// Inside these, `@handle` stays text.
    static let noMentions: Set<String> = ["a", "code", "pre"]

    func sanitize(_ html: String) -> String {
        var output = ""
        output.reserveCapacity(html.utf8.count + 64)
        var stack: [String] = []
        /// `a` elements whose link was refused: their closing tag is dropped too.
        var droppedLinks = 0
        var index = html.startIndex
        var text = ""

        func flushText() {
            guard !text.isEmpty else { return }
            let escaped = Self.escapeText(text)
            output += stack.contains(where: Self.noMentions.contains) ? escaped : Self.linkMentions(escaped)
            text = ""
        }

        while index < html.endIndex {
            let character = html[index]
            guard character == "<", let tag = Self.parseTag(html, at: index) else {
                text.append(character)
                index = html.index(after: index)
                continue
            }
            index = tag.end
            guard let name = Self.elements[tag.name] else {
                text += String(html[tag.start..<tag.end])  // not allowed: shown as text
                continue
            }
            flushText()
            if tag.isClosing {
                if name == "a", droppedLinks > 0, !stack.contains("a") {
                    droppedLinks -= 1
                    continue
                }
                guard let position = stack.lastIndex(of: name) else { continue }
                for open in stack[position...].reversed() { output += "</\(open)>" }
                stack.removeSubrange(position...)
                continue
            }
            guard let opening = openingTag(name, attributes: tag.attributes) else {
                if name == "a" { droppedLinks += 1 }
                continue
            }
            output += opening
            if !Self.voidElements.contains(name) { stack.append(name) }
        }
        flushText()
        for open in stack.reversed() { output += "</\(open)>" }
        return output
    }

    /// The tag as Kring writes it, or nil when a required URL is missing or unsafe.
    private func openingTag(_ name: String, attributes: [String: String]) -> String? {
        switch name {
        case "a":
            guard let href = attributes["href"].flatMap(Self.safeURL) else { return nil }
            return "<a href=\"\(HTMLEscaping.attribute(href.value))\" rel=\"\(linkRel)\">"
        case "img":
            guard let src = attributes["src"].flatMap(Self.safeURL), !src.value.lowercased().hasPrefix("mailto:") else { return nil }
            let alt = HTMLEscaping.attribute(attributes["alt"] ?? "")
            return "<img src=\"\(HTMLEscaping.attribute(src.value))\" alt=\"\(alt)\" loading=\"lazy\">"
        case "ol":
            if let start = attributes["start"].flatMap(Int.init), start > 0 { return "<ol start=\"\(start)\">" }
            return "<ol>"
        case "code":
            if let language = attributes["class"], language.hasPrefix("language-"),
                language.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            {
                return "<code class=\"\(language)\">"
            }
            return "<code>"
        default:
            return "<\(name)>"
        }
    }

    static func safeURL(_ raw: String) -> SafeURL? {
        let decoded = decodeEntities(raw)
        return SafeURL(external: decoded) ?? SafeURL(path: decoded)
    }

    struct Tag {
        let start: String.Index
        let end: String.Index
        let name: String
        let isClosing: Bool
        let attributes: [String: String]
    }

    /// Reads `<name attr="v" …>` or `</name>` at `start`; nil when it is not a well-formed tag.
    static func parseTag(_ html: String, at start: String.Index) -> Tag? {
        var index = html.index(after: start)
        var isClosing = false
        if index < html.endIndex, html[index] == "/" {
            isClosing = true
            index = html.index(after: index)
        }
        var name = ""
        while index < html.endIndex, html[index].isASCII, html[index].isLetter || (html[index].isNumber && !name.isEmpty) {
            name.append(html[index])
            index = html.index(after: index)
        }
        guard !name.isEmpty else { return nil }
        var attributes: [String: String] = [:]
        while index < html.endIndex {
            let character = html[index]
            if character == ">" {
                return Tag(
                    start: start, end: html.index(after: index), name: name.lowercased(), isClosing: isClosing, attributes: attributes)
            }
            if character == "<" { return nil }
            if character.isWhitespace || character == "/" {
                index = html.index(after: index)
                continue
            }
            var attributeName = ""
            while index < html.endIndex, !html[index].isWhitespace, !"=>/<\"'".contains(html[index]) {
                attributeName.append(html[index])
                index = html.index(after: index)
            }
            guard !attributeName.isEmpty else { return nil }
            var value = ""
            if index < html.endIndex, html[index] == "=" {
                index = html.index(after: index)
                guard index < html.endIndex else { return nil }
                let quote = html[index]
                if quote == "\"" || quote == "'" {
                    index = html.index(after: index)
                    while index < html.endIndex, html[index] != quote {
                        value.append(html[index])
                        index = html.index(after: index)
                    }
                    guard index < html.endIndex else { return nil }
                    index = html.index(after: index)
                } else {
                    while index < html.endIndex, !html[index].isWhitespace, html[index] != ">" {
                        value.append(html[index])
                        index = html.index(after: index)
                    }
                }
            }
            let key = attributeName.lowercased()
            if attributes[key] == nil { attributes[key] = value }
        }
        return nil
    }

    /// Escapes text, keeping well-formed entity references (Ink already escaped `<` in code).
    static func escapeText(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            switch character {
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "&":
                if let end = entityEnd(text, from: index) {
                    result += text[index..<end]
                    index = end
                    continue
                }
                result += "&amp;"
            default: result.append(character)
            }
            index = text.index(after: index)
        }
        return result
    }

    /// The end of an entity reference like `&amp;` or `&#39;` starting at `start`, if there is one.
    static func entityEnd(_ text: String, from start: String.Index) -> String.Index? {
        var index = text.index(after: start)
        var body = ""
        while index < text.endIndex, body.count <= 10 {
            let character = text[index]
            if character == ";" {
                guard !body.isEmpty else { return nil }
                let valid =
                    body.hasPrefix("#")
                    ? body.dropFirst().allSatisfy({ $0.isNumber })
                        || (body.dropFirst().first == "x" && body.dropFirst(2).allSatisfy(\.isHexDigit))
                    : body.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
                return valid ? text.index(after: index) : nil
            }
            body.append(character)
            index = text.index(after: index)
        }
        return nil
    }

    static func decodeEntities(_ value: String) -> String {
        var result = value.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
        if let regex = try? NSRegularExpression(pattern: "&#(x?)([0-9a-fA-F]+);?") {
            let matches = regex.matches(in: result, range: NSRange(result.startIndex..., in: result)).reversed()
            for match in matches {
                guard let full = Range(match.range, in: result), let digits = Range(match.range(at: 2), in: result) else { continue }
                let isHex = match.range(at: 1).length > 0
                let scalar = UInt32(result[digits], radix: isHex ? 16 : 10).flatMap(Unicode.Scalar.init)
                result.replaceSubrange(full, with: scalar.map { String(Character($0)) } ?? "")
            }
        }
        return result.replacingOccurrences(of: "&amp;", with: "&")
    }

    /// Turns `@handle` in escaped text into a link to the profile.
    static func linkMentions(_ escaped: String) -> String {
        guard escaped.contains("@"),
            let regex = try? NSRegularExpression(pattern: #"(^|[^A-Za-z0-9_@/.\-])@([A-Za-z0-9][A-Za-z0-9_-]{2,29})"#)
        else { return escaped }
        let range = NSRange(escaped.startIndex..., in: escaped)
        return regex.stringByReplacingMatches(
            in: escaped, range: range, withTemplate: "$1<a href=\"/members/$2\" class=\"mention\">@$2</a>")
    }
}
