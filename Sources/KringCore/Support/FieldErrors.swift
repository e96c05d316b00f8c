/// One problem with one input field. `code` names a message in the UI catalog (`error.<code>`),
/// so the web layer can say it in the reader's language.
public struct FieldError: Sendable, Equatable, Codable {
    public let field: String
    public let code: String

    public init(field: String, code: String) {
        self.field = field
        self.code = code
    }
}

/// Thrown when input breaks the rules; carries every problem found, not just the first, so a form
/// can mark all its fields at once.
public struct ValidationFailure: Error, Sendable, Equatable {
    public var errors: [FieldError]

    public init(_ errors: [FieldError]) { self.errors = errors }
    public init(field: String, code: String) { self.errors = [FieldError(field: field, code: code)] }
}

/// Collects field errors while a form or payload is checked.
public struct FieldErrorCollector: Sendable {
    public private(set) var errors: [FieldError] = []

    public init() {}

    public mutating func add(_ field: String, _ code: String) {
        errors.append(FieldError(field: field, code: code))
    }

    /// Runs a check and records its failure instead of throwing; returns the checked value.
    public mutating func check<T>(_ body: () throws(ValidationFailure) -> T) -> T? {
        do {
            return try body()
        } catch {
            errors.append(contentsOf: error.errors)
            return nil
        }
    }

    /// Throws all collected errors, if any.
    public func throwIfAny() throws(ValidationFailure) {
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }
}
