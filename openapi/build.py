#!/usr/bin/env python3
"""Writes Sources/KringWeb/Resources/openapi.json, the OpenAPI 3.1 description of Kring's API.

The document is kept in the repository and served at /api/v1/openapi.json; a Swift test checks
that it documents exactly the routes the server has. Edit this file, run it, commit both.
"""
import json, os, sys

def ref(name): return {"$ref": f"#/components/schemas/{name}"}
def problem(description): return {"description": description, "content": {"application/problem+json": {"schema": ref("Problem")}}}
def ok(schema, description="OK", status="200"): return {status: {"description": description, "content": {"application/json": {"schema": schema}}}}
def body(schema): return {"required": True, "content": {"application/json": {"schema": schema}}}

P401 = problem("Not authenticated, or the token is unknown or revoked.")
P403 = problem("Authenticated, but not allowed.")
P404 = problem("Not found.")
P422 = problem("Invalid input; `errors` names each field.")
P503 = problem("The community has not been set up yet.")
P415 = problem("The body is not JSON.")
bearer = [{"bearerAuth": []}]
optional_bearer = [{"bearerAuth": []}, {}]

string = {"type": "string"}
# The server normalises text before checking it: single-line fields turn control characters into
# spaces, collapse runs of white space and trim the ends; a required one must then be non-empty.
# Lengths are counted after that, in characters (grapheme clusters). `x-kring-normalise` says which
# normalisation a field gets (single-line, multi-line, trim, tags); e2e/api_fuzz_hooks.py reads it.
VISIBLE = "[^\\s\\x00-\\x1f\\x7f-\\x9f\\xad\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u206f\\ufeff]"
def text(max_length, required=False, description=None):
    """A single-line text field of at most `max_length` characters; `required` ones must hold a visible character."""
    schema = {"type": "string", "maxLength": max_length, "x-kring-normalise": "single-line"}
    if required: schema |= {"minLength": 1, "pattern": VISIBLE}
    return schema | ({"description": description} if description else {})
language = {"type": "string", "enum": ["en", "nl"]}
member = {
    "type": "object",
    "required": ["handle", "displayName", "role", "isStaff", "isBot", "bio", "organisation", "interests", "expertise", "memberSince"],
    "properties": {
        "handle": {"type": "string", "examples": ["anna"]},
        "displayName": string,
        "role": {"type": "string", "enum": ["member", "moderator", "manager", "admin"]},
        "isStaff": {"type": "boolean", "description": "Works for the organisation behind the community."},
        "isBot": {"type": "boolean", "description": "An automated account; left out of the community's figures."},
        "bio": string, "organisation": string,
        "interests": {"type": "array", "items": string},
        "expertise": {"type": "array", "items": string},
        "memberSince": {"type": "string", "format": "date-time"},
        "email": {"type": "string", "description": "Only for the member themselves and administrators."},
        "preferredLanguage": {**language, "description": "Only for the member themselves."},
        "lastSeenAt": {"type": "string", "format": "date-time", "description": "Only for the member themselves and administrators."},
    },
}
community = {
    "type": "object",
    "required": ["name", "tagline", "defaultLanguage", "registrationMode", "readAccess", "timeZone"],
    "properties": {
        "name": string, "tagline": string, "defaultLanguage": language,
        "registrationMode": {"type": "string", "enum": ["open", "approval", "invite"]},
        "readAccess": {"type": "string", "enum": ["public", "members"]},
        "timeZone": {"type": "string", "examples": ["Europe/Amsterdam"]},
    },
}
time_zone = {"type": "string", "format": "time-zone", "examples": ["Europe/Amsterdam"],
             "description": "An IANA time zone name, such as Europe/Amsterdam; others are refused (422)."}
community_patch = {"type": "object", "description": "Only the fields given change.", "properties": {
    **community["properties"], "name": text(80, required=True), "tagline": text(160), "timeZone": time_zone}}
profile_patch = {"type": "object", "description": "Only the fields given change.", "properties": {
    "displayName": text(60, required=True),
    "bio": {"type": "string", "maxLength": 2000, "x-kring-normalise": "multi-line", "description": "Several lines; the ends are trimmed."},
    "organisation": text(120),
    "interests": {"type": "array", "items": text(40), "maxItems": 20, "x-kring-normalise": "tags",
                  "description": "Tags: lower-cased, blank ones dropped, duplicates merged; at most 20 remain."},
    "expertise": {"type": "array", "items": text(40), "maxItems": 20, "x-kring-normalise": "tags",
                  "description": "Tags: lower-cased, blank ones dropped, duplicates merged; at most 20 remain."},
    "preferredLanguage": {"type": "string", "enum": ["", "en", "nl"], "description": "An empty string clears the choice."},
}}
token_request = {"type": "object", "required": ["login", "password"], "properties": {
    "login": {"type": "string", "description": "Handle or e-mail address."},
    "password": string,
    "name": {"type": "string", "minLength": 1, "maxLength": 60, "pattern": "\\S", "x-kring-normalise": "trim",
             "description": "What the token is for (default API); trimmed, must not be blank."},
}}
token = {"type": "object", "required": ["id", "name", "prefix", "createdAt"], "properties": {
    "id": {"type": "string", "format": "uuid"}, "name": string, "prefix": string,
    "createdAt": {"type": "string", "format": "date-time"}, "lastUsedAt": {"type": "string", "format": "date-time"},
}}
new_token = {"type": "object", "required": ["id", "name", "token", "createdAt", "member"], "properties": {
    "id": {"type": "string", "format": "uuid"}, "name": string,
    "token": {"type": "string", "description": "The secret, shown once. Send it as `Authorization: Bearer <token>`."},
    "createdAt": {"type": "string", "format": "date-time"}, "member": ref("Member"),
}}
problem_schema = {"type": "object", "required": ["type", "title", "status"], "properties": {
    "type": string, "title": string, "status": {"type": "integer"}, "detail": string, "instance": string,
    "errors": {"type": "array", "items": {"type": "object", "required": ["field", "code", "message"], "properties": {
        "field": string, "code": string, "message": string}}},
}}
document = {
    "openapi": "3.1.0",
    "info": {"title": "Kring API", "version": "1.0.0",
             "description": "The JSON API of Kring, the community platform with the community manager's cockpit built in. "
                            "Authenticate with a personal access token (`POST /auth/token` or the settings page). "
                            "Errors are RFC 9457 problem documents."},
    "servers": [{"url": "/api/v1"}],
    "paths": {
        "/openapi.json": {"get": {"operationId": "getOpenAPI", "summary": "This document.", "security": [{}],
                                  "responses": {"200": {"description": "The OpenAPI document.", "content": {"application/json": {"schema": {"type": "object"}}}},
                                                "401": problem("An Authorization header was sent with an unknown or revoked token.")}}},
        "/auth/token": {"post": {"operationId": "createToken", "summary": "Exchange a login and password for a personal access token.",
                                 "security": [{}], "requestBody": body(ref("TokenRequest")),
                                 "responses": {**ok(ref("NewToken"), "The new token.", "201"), "401": P401, "403": problem("The account is not active."),
                                               "415": P415, "422": P422, "429": problem("Too many failed attempts."), "503": P503}}},
        "/auth/tokens": {"get": {"operationId": "listTokens", "summary": "The caller's live tokens.", "security": bearer,
                                 "responses": {**ok(ref("TokenList")), "401": P401}}},
        "/auth/tokens/{id}": {"delete": {"operationId": "revokeToken", "summary": "Revoke one of the caller's tokens.", "security": bearer,
                                         "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}],
                                         "responses": {"204": {"description": "Revoked."}, "401": P401, "404": P404}}},
        "/me": {
            "get": {"operationId": "getMe", "summary": "The authenticated member, with private fields.", "security": bearer,
                    "responses": {**ok(ref("Member")), "401": P401}},
            "patch": {"operationId": "updateMe", "summary": "Change the authenticated member's profile.", "security": bearer,
                      "requestBody": body(ref("ProfilePatch")),
                      "responses": {**ok(ref("Member")), "401": P401, "415": P415, "422": P422}},
        },
        "/me/export": {"get": {"operationId": "exportMyData",
                               "summary": "All of the caller's personal data (GDPR): a ZIP archive with data.json, a README and the files they uploaded.",
                               "security": bearer,
                               "responses": {"200": {"description": "The archive.",
                                                     "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}},
                                             "401": P401}}},
        "/members/{handle}": {"get": {"operationId": "getMember", "summary": "A member's public profile.", "security": optional_bearer,
                                      "parameters": [{"name": "handle", "in": "path", "required": True, "schema": string}],
                                      "responses": {**ok(ref("Member")), "401": P401, "404": P404, "503": P503}}},
        "/community": {
            "get": {"operationId": "getCommunity", "summary": "The community's settings.", "security": optional_bearer,
                    "responses": {**ok(ref("Community")), "401": P401, "503": P503}},
            "patch": {"operationId": "updateCommunity", "summary": "Change the community's settings (administrators).", "security": bearer,
                      "requestBody": body(ref("CommunityPatch")),
                      "responses": {**ok(ref("Community")), "401": P401, "403": P403, "415": P415, "422": P422, "503": P503}},
        },
    },
    "components": {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "description": "A personal access token (kring_…)."}},
        "schemas": {"Member": member, "Community": community, "CommunityPatch": community_patch, "ProfilePatch": profile_patch,
                    "TokenRequest": token_request, "Token": token, "TokenList": {"type": "object", "required": ["tokens"], "properties": {"tokens": {"type": "array", "items": ref("Token")}}},
                    "NewToken": new_token, "Problem": problem_schema},
    },
}
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spaces  # noqa: E402
spaces.add(document, ref, problem, ok, body, text)
import participation  # noqa: E402
participation.add(document, ref, problem, ok, body, text)
import organising  # noqa: E402
organising.add(document, ref, problem, ok, body, text)
import documents  # noqa: E402
documents.add(document, ref, problem, ok, body, text)
import metrics  # noqa: E402
metrics.add(document, ref, problem, ok, body, text)
import goals  # noqa: E402
goals.add(document, ref, problem, ok, body, text)
import management  # noqa: E402
management.add(document, ref, problem, ok, body, text)
import engagement  # noqa: E402
engagement.add(document, ref, problem, ok, body, text)

target = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "KringWeb", "Resources", "openapi.json")
with open(target, "w") as f:
    json.dump(document, f, indent=2, ensure_ascii=False)
    f.write("\n")
print("wrote", os.path.normpath(target))
