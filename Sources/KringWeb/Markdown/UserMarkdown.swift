import Ink
import KringStore

/// The one renderer for Markdown that members write. Ink turns Markdown into HTML but passes raw
/// HTML, `javascript:` links and unescaped quotes through, so its output goes through
/// `HTMLSanitizer`: only an allow-list of tags and attributes survives, links must be `SafeURL`s and
/// get `rel="nofollow ugc noopener"`, everything else is shown as text. `@handle` becomes a profile link.
public enum UserMarkdown {
    /// Bump when the output changes: cached HTML of an older version is rendered again on read.
    /// 2: raw HTML is neutralised before parsing (Ink 0.6 loops forever on an unclosed tag such as `a <p b`).
    public static let version = 2

    public static func render(_ markdown: String) -> RenderedBody {
        RenderedBody(html: html(markdown, linkRel: "nofollow ugc noopener"), version: version)
    }

    /// The renderer as the store wants it, for refreshing stale caches.
    public static let renderer: BodyRenderer = { render($0) }

    static func html(_ markdown: String, linkRel: String) -> String {
        let parser = MarkdownParser()
        return HTMLSanitizer(linkRel: linkRel).sanitize(parser.html(from: neutraliseHTML(markdown)))
    }

    /// Turns every `<` outside code into `&lt;`, so Ink never parses raw HTML. Members' raw HTML
    /// was only ever shown as text; this also keeps Ink 0.6 out of the endless loop it enters on an
    /// unclosed tag (`a <p b`), which one post could use to stall the server. Fenced blocks and
    /// inline code keep their `<` (Ink escapes code itself).
    static func neutraliseHTML(_ markdown: String) -> String {
        guard markdown.contains("<") else { return markdown }
        var output = ""
        output.reserveCapacity(markdown.utf8.count + 16)
        var inFence = false
        for (index, line) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if index > 0 { output.append("\n") }
            let trimmed = line.drop { $0 == " " }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                inFence.toggle()
                output.append(contentsOf: line)
                continue
            }
            if inFence {
                output.append(contentsOf: line)
                continue
            }
            output.append(neutraliseLine(line))
        }
        return output
    }

    /// One line outside fenced code: `<` becomes `&lt;` except inside a code span (a run of
    /// backticks up to the next run of the same length).
    private static func neutraliseLine(_ line: Substring) -> String {
        var result = ""
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            if character == "`" {
                var run = index
                while run < line.endIndex, line[run] == "`" { run = line.index(after: run) }
                let fence = line[index..<run]
                if let close = line[run...].range(of: fence), close.upperBound == line.endIndex || line[close.upperBound] != "`" {
                    result.append(contentsOf: line[index..<close.upperBound])
                    index = close.upperBound
                } else {
                    result.append(contentsOf: fence)
                    index = run
                }
                continue
            }
            if character == "<" { result.append("&lt;") } else { result.append(character) }
            index = line.index(after: index)
        }
        return result
    }
}

/// Markdown written by community managers for landing pages and house rules. Trusted to choose
/// its links (no nofollow), yet it goes through the same sanitiser: no script, no raw attributes.
public enum TrustedMarkdown {
    public static func html(_ markdown: String) -> TrustedHTML {
        TrustedHTML(sanitizedOrOwnMarkup: UserMarkdown.html(markdown, linkRel: "noopener"))
    }
}

extension RenderedBody {
    /// The sanitised HTML, ready for a view.
    var trusted: TrustedHTML { TrustedHTML(sanitizedOrOwnMarkup: html) }
}

extension PostView {
    /// The post's cached HTML, which `UserMarkdown` sanitised before it was stored.
    var trustedBody: TrustedHTML { TrustedHTML(sanitizedOrOwnMarkup: bodyHTML) }
}
