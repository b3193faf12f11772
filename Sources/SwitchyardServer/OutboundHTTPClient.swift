public import AsyncHTTPClient

extension Switchyard {
    /// The HTTP client for calls Switchyard makes: model providers and write-backs.
    ///
    /// AsyncHTTPClient's default retries a failed connection with backoff until the request's
    /// deadline, so a provider or platform that refuses connections would cost the whole
    /// model deadline (or write-back timeout) before anything else happened. Here a refused
    /// or unreachable host fails at once: the model chain falls back straight away and the
    /// outbox schedules its own retry with backoff. Connecting gives up after
    /// ``connectTimeout``; each call's own deadline bounds the rest.
    public static func makeHTTPClient() -> HTTPClient {
        HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpClientConfiguration)
    }

    /// The client's configuration: a refused connection fails at once instead of being
    /// retried until the connect timeout, and redirects are never followed: a follow would
    /// send the credentials and the ticket's data wherever a `Location` header points, so a
    /// redirect is answered as the failure it is.
    public static var httpClientConfiguration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(Int64(connectTimeout.components.seconds))
        return configuration
    }

    /// How long opening a connection to a provider or platform may take.
    public static let connectTimeout: Duration = .seconds(5)
}
