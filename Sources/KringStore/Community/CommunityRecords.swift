import FluentKit
import Foundation
import KringCore

final class CommunityRecord: Model, @unchecked Sendable {
    static let schema = "community"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "tagline") var tagline: String
    @Field(key: "default_language") var defaultLanguage: String
    @Field(key: "registration_mode") var registrationMode: String
    @Field(key: "read_access") var readAccess: String
    @Field(key: "time_zone") var timeZone: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @Field(key: "flag_threshold") var flagThreshold: Int
    @Field(key: "newcomer_held_posts") var newcomerHeldPosts: Int
    @Field(key: "newcomer_max_links") var newcomerMaxLinks: Int
    @Field(key: "posts_per_minute") var postsPerMinute: Int
    @Field(key: "posts_per_hour") var postsPerHour: Int
    @Field(key: "rules_version") var rulesVersion: Int
    @Field(key: "upload_max_bytes") var uploadMaxBytes: Int
    /// Allowed file kinds, comma-separated raw values.
    @Field(key: "upload_kinds") var uploadKinds: String
    @Field(key: "erasure_policy") var erasurePolicy: String

    init() {}

    var settings: CommunitySettings {
        CommunitySettings(
            name: name, tagline: tagline, defaultLanguage: Language(rawValue: defaultLanguage) ?? .en,
            registrationMode: RegistrationMode(rawValue: registrationMode) ?? .open,
            readAccess: ReadAccess(rawValue: readAccess) ?? .public, timeZone: timeZone)
    }

    func apply(_ settings: CommunitySettings) {
        name = settings.name
        tagline = settings.tagline
        defaultLanguage = settings.defaultLanguage.rawValue
        registrationMode = settings.registrationMode.rawValue
        readAccess = settings.readAccess.rawValue
        timeZone = settings.timeZone
    }
}

/// Secrets this installation generates for itself (e.g. the key that signs CSRF tokens), kept in
/// the database so every Kring process serving the community shares them.
final class InstanceSecretRecord: Model, @unchecked Sendable {
    static let schema = "instance_secrets"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "value") var value: String

    init() {}
}
