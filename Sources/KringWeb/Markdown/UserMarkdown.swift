import Ink
import KringStore

/// The one renderer for Markdown that members write. Ink turns Markdown into HTML but passes raw
/// HTML, `javascript:` links and unescaped quotes through, so its output goes through
/// `HTMLSanitizer`: only an allow-list of tags and attributes survives, links must be `SafeURL`s and
/// get `rel="nofollow ugc noopener"`, everything else is shown as text. `@handle` becomes a profile link.
public enum UserMarkdown {
    /// Bump when the output changes: cached HTML of an older version is rendered again on read.
    public static let version = 1

    public static func render(_ markdown: String) -> RenderedBody {
        RenderedBody(html: html(markdown, linkRel: "nofollow ugc noopener"), version: version)
    }

    /// The renderer as the store wants it, for refreshing stale caches.
    public static let renderer: BodyRenderer = { render($0) }

    static func html(_ markdown: String, linkRel: String) -> String {
        let parser = MarkdownParser()
        return HTMLSanitizer(linkRel: linkRel).sanitize(parser.html(from: markdown))
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
