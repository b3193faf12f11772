import Hummingbird
import SwitchyardCore

/// Who may call the API: every `/v1` endpoint asks `authorize` for its role first.
///
/// With tokens configured, a request needs `Authorization: Bearer <token>` for a token whose
/// role is at least the endpoint's: none or an unknown token is `401`, too small a role `403`.
/// Without tokens (loopback only, unless `access.allow_anonymous`), every request is let in as
/// an anonymous admin, as a local installation expects.
struct AccessControl: Sendable {
    /// Who is calling.
    struct Caller: Sendable, Hashable {
        /// The token's name; nil without tokens.
        var name: String?
        var role: Role
    }

    let tokens: [APIToken]

    /// The caller of `request` if its role is at least `role`; the 401 or 403 otherwise.
    func authorize(_ request: Request, as role: Role) throws(APIError) -> Caller {
        guard !tokens.isEmpty else { return Caller(name: nil, role: .admin) }
        guard let presented = Self.bearerToken(request.headers[.authorization]) else {
            var error = APIError(
                .unauthorized, code: "unauthorized",
                message: "this endpoint needs an API token with role \(role.rawValue) or higher: send Authorization: Bearer <token>")
            error.headers[.wwwAuthenticate] = "Bearer"
            throw error
        }
        guard let token = match(presented) else {
            var error = APIError(.unauthorized, code: "unauthorized", message: "the API token is not one this server knows")
            error.headers[.wwwAuthenticate] = #"Bearer error="invalid_token""#
            throw error
        }
        guard token.role >= role else {
            throw APIError(
                .forbidden, code: "forbidden",
                message: "this endpoint needs role \(role.rawValue) or higher; the token \"\(token.name)\" has role \(token.role.rawValue)")
        }
        return Caller(name: token.name, role: token.role)
    }

    /// The configured token whose digest is the presented token's. Every digest is compared,
    /// each in constant time, so the time taken says nothing about which (if any) matched.
    private func match(_ presented: String) -> APIToken? {
        let digest = APIToken.digest(of: presented)
        var found: APIToken?
        for token in tokens where ConstantTime.equal(token.digest, digest) {
            found = token
        }
        return found
    }

    /// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive).
    private static func bearerToken(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = String(parts[1]).trimmingWhitespace()
        return token.isEmpty ? nil : token
    }
}
