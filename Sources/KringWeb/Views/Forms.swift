import KringCore
import Vapor

/// What a form shows: the values typed so far and the problems per field.
struct FormState: Sendable {
    var values: [String: String] = [:]
    var errors: [FieldError] = []
    /// A problem with the form as a whole (e.g. wrong password), already localised.
    var formError: String?

    subscript(field: String) -> String { values[field] ?? "" }

    func error(for field: String) -> FieldError? { errors.first { $0.field == field } }

    var hasErrors: Bool { !errors.isEmpty || formError != nil }
}

/// Form pieces with accessible labels, error messages tied to their inputs, and the CSRF field.
enum Forms {
    static func csrf(_ request: Request) -> HTMLNode {
        H.input(.type("hidden"), .name("_csrf"), .value(request.context.csrfToken))
    }

    /// The summary at the top of a form that failed: focusable, announced by screen readers.
    static func errorSummary(_ state: FormState, _ t: Localizer) -> HTMLNode {
        guard state.hasErrors else { return .empty }
        return H.div(.class("form-error"), .role("alert"), .id("form-error")) {
            H.p { state.formError ?? t("form.has_errors") }
            if !state.errors.isEmpty, state.formError == nil {
                H.ul {
                    for error in state.errors {
                        H.li { H.a(.fragment(error.field)) { t("field.\(error.field)") + ": " + t.fieldError(error) } }
                    }
                }
            }
        }
    }

    static func field(
        _ name: String, label: String, state: FormState, t: Localizer, type: String = "text", autocomplete: String? = nil,
        required: Bool = false, hint: String? = nil, maxLength: Int? = nil, keepValue: Bool = true, extra: [HTMLAttribute] = []
    ) -> HTMLNode {
        var attributes: [HTMLAttribute] = [.type(type), .id(name), .name(name)] + extra
        if keepValue, type != "password", type != "file" { attributes.append(.value(state[name])) }
        if let autocomplete { attributes.append(.autocomplete(autocomplete)) }
        if required { attributes.append(.required) }
        if let maxLength { attributes.append(.maxlength(maxLength)) }
        attributes += describedBy(name, state: state, hint: hint)
        return wrapper(name, label: label, state: state, t: t, hint: hint, control: H.void("input", attributes))
    }

    static func textarea(
        _ name: String, label: String, state: FormState, t: Localizer, rows: Int = 5, hint: String? = nil, maxLength: Int? = nil
    ) -> HTMLNode {
        var attributes: [HTMLAttribute] = [.id(name), .name(name), .rows(rows)]
        if let maxLength { attributes.append(.maxlength(maxLength)) }
        attributes += describedBy(name, state: state, hint: hint)
        let control = H.element("textarea", attributes) { state[name] }
        return wrapper(name, label: label, state: state, t: t, hint: hint, control: control)
    }

    static func select(
        _ name: String, label: String, options: [(value: String, label: String)], state: FormState, t: Localizer,
        hint: String? = nil
    ) -> HTMLNode {
        let current = state[name]
        let control = H.element("select", [.id(name), .name(name)] + describedBy(name, state: state, hint: hint)) {
            for option in options {
                H.element("option", option.value == current ? [.value(option.value), .selected] : [.value(option.value)]) {
                    option.label
                }
            }
        }
        return wrapper(name, label: label, state: state, t: t, hint: hint, control: control)
    }

    static func checkbox(_ name: String, label: String, isChecked: Bool, hint: String? = nil) -> HTMLNode {
        H.div(.class("field field-checkbox")) {
            H.input(.type("hidden"), .name(name), .value("0"))
            H.element("input", [.type("checkbox"), .id(name), .name(name), .value("1")] + (isChecked ? [.checked] : [])) { [] }
            H.label(.for(name)) { label }
            if let hint { H.p(.class("field-hint")) { hint } }
        }
    }

    static func submit(_ label: String, id: String, secondary: Bool = false) -> HTMLNode {
        H.div(.class("form-actions")) {
            H.button(.type("submit"), .id(id), .class(secondary ? "button button-secondary" : "button")) { label }
        }
    }

    private static func describedBy(_ name: String, state: FormState, hint: String?) -> [HTMLAttribute] {
        var ids: [String] = []
        if hint != nil { ids.append("\(name)-hint") }
        if state.error(for: name) != nil { ids.append("\(name)-error") }
        var attributes: [HTMLAttribute] = []
        if !ids.isEmpty { attributes.append(.aria(.describedby, ids.joined(separator: " "))) }
        if state.error(for: name) != nil { attributes.append(.aria(.invalid, "true")) }
        return attributes
    }

    private static func wrapper(
        _ name: String, label: String, state: FormState, t: Localizer, hint: String?, control: HTMLNode
    ) -> HTMLNode {
        let error = state.error(for: name)
        return H.div(.class(error == nil ? "field" : "field has-error")) {
            H.label(.for(name)) { label }
            if let hint { H.p(.class("field-hint"), .id("\(name)-hint")) { hint } }
            control
            if let error { H.p(.class("field-error"), .id("\(name)-error")) { t.fieldError(error) } }
        }
    }
}
