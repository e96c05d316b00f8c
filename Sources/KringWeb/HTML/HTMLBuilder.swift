/// Builds lists of nodes from Swift statements: strings become escaped text.
@resultBuilder
public enum HTMLBuilder {
    public static func buildExpression(_ node: HTMLNode) -> [HTMLNode] { [node] }
    public static func buildExpression(_ text: String) -> [HTMLNode] { [.text(text)] }
    public static func buildExpression(_ nodes: [HTMLNode]) -> [HTMLNode] { nodes }
    public static func buildBlock(_ parts: [HTMLNode]...) -> [HTMLNode] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [HTMLNode]?) -> [HTMLNode] { part ?? [] }
    public static func buildEither(first: [HTMLNode]) -> [HTMLNode] { first }
    public static func buildEither(second: [HTMLNode]) -> [HTMLNode] { second }
    public static func buildArray(_ parts: [[HTMLNode]]) -> [HTMLNode] { parts.flatMap { $0 } }
}

/// Element constructors. Each takes attributes, then children from a builder block.
public enum H {
    public static func element(
        _ name: String, _ attributes: [HTMLAttribute], @HTMLBuilder _ children: () -> [HTMLNode]
    ) -> HTMLNode {
        .element(name: name, attributes: attributes, children: children(), isVoid: false)
    }

    public static func void(_ name: String, _ attributes: [HTMLAttribute]) -> HTMLNode {
        .element(name: name, attributes: attributes, children: [], isVoid: true)
    }

    public static func fragment(@HTMLBuilder _ children: () -> [HTMLNode]) -> HTMLNode { .fragment(children()) }

    public static func div(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode] = { [] }) -> HTMLNode { element("div", a, c) }
    public static func span(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode] = { [] }) -> HTMLNode { element("span", a, c) }
    public static func p(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("p", a, c) }
    public static func h1(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("h1", a, c) }
    public static func h2(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("h2", a, c) }
    public static func h3(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("h3", a, c) }
    public static func strong(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("strong", a, c) }
    public static func em(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("em", a, c) }
    public static func small(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("small", a, c) }
    public static func code(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("code", a, c) }
    public static func pre(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("pre", a, c) }
    public static func ul(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("ul", a, c) }
    public static func ol(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("ol", a, c) }
    public static func li(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("li", a, c) }
    public static func dl(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("dl", a, c) }
    public static func dt(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("dt", a, c) }
    public static func dd(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("dd", a, c) }
    public static func nav(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("nav", a, c) }
    public static func header(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("header", a, c) }
    public static func footer(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("footer", a, c) }
    public static func main(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("main", a, c) }
    public static func section(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("section", a, c) }
    public static func article(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("article", a, c) }
    public static func aside(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("aside", a, c) }
    public static func table(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("table", a, c) }
    public static func caption(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("caption", a, c) }
    public static func thead(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("thead", a, c) }
    public static func tbody(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("tbody", a, c) }
    public static func tr(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("tr", a, c) }
    public static func th(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("th", a, c) }
    public static func td(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("td", a, c) }
    public static func label(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("label", a, c) }
    public static func button(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("button", a, c) }
    public static func select(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("select", a, c) }
    public static func option(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("option", a, c) }
    public static func fieldset(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("fieldset", a, c) }
    public static func legend(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("legend", a, c) }
    public static func time(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("time", a, c) }
    public static func details(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("details", a, c) }
    public static func summary(_ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode { element("summary", a, c) }
    public static func textarea(_ a: HTMLAttribute..., text: String) -> HTMLNode { element("textarea", a) { text } }
    public static func a(_ href: SafeURL, _ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode {
        element("a", [.href(href)] + a, c)
    }
    public static func form(action: SafeURL, _ a: HTMLAttribute..., @HTMLBuilder content c: () -> [HTMLNode]) -> HTMLNode {
        element("form", [.action(action), .method("post")] + a, c)
    }
    public static func input(_ a: HTMLAttribute...) -> HTMLNode { void("input", a) }
    public static func meta(_ a: HTMLAttribute...) -> HTMLNode { void("meta", a) }
    public static func br() -> HTMLNode { void("br", []) }
    public static func hr() -> HTMLNode { void("hr", []) }
    public static func link(rel: String, href: SafeURL) -> HTMLNode { void("link", [.rel(rel), .href(href)]) }
    public static func img(_ src: SafeURL, alt: String, _ a: HTMLAttribute...) -> HTMLNode { void("img", [.src(src), .alt(alt)] + a) }
    public static func script(src: SafeURL) -> HTMLNode { element("script", [.src(src), .boolean("defer")]) { [] } }
    /// Kring's own stylesheet inlined (for documents printed outside the site, such as report PDFs).
    /// Only for CSS that ships with Kring: it is not escaped.
    public static func inlineStylesheet(_ css: String) -> HTMLNode {
        element("style", []) { HTMLNode.trusted(TrustedHTML(sanitizedOrOwnMarkup: css.replacingOccurrences(of: "</", with: "<\\/"))) }
    }
}
