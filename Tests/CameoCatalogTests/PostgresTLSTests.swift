@testable import CameoCatalog
import CameoTestSupport
import Foundation
import Testing

/// sslmode against a real server with `ssl=on` (a cluster of its own, its
/// certificate for DNS:localhost signed by a CA the test made), each checked
/// on the server's side in pg_stat_ssl.
@Suite struct PostgresTLSTests {
    let cluster: PostgresCluster
    let database: String

    init() throws {
        cluster = try PostgresCluster.startTLS()
        database = try cluster.createDatabase("tls")
    }

    func url(host: String = "127.0.0.1", _ query: String) -> String {
        "postgres://\(cluster.user)@\(host):\(cluster.port)/\(database)?\(query)"
    }

    /// Whether the server says this catalog's own connection is encrypted.
    func encrypted(_ catalog: any CatalogStore) throws -> Bool {
        let session = try #require((catalog as? PostgresCatalog)?.session)
        return try #require(try session.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").first)[0].decode(Bool.self)
    }

    func refusal(_ url: String) -> String? {
        do {
            _ = try CatalogStores.open(url, environment: cluster.environment)
            return nil
        } catch {
            #expect(error.category == .catalogUnusable && !error.description.contains(cluster.password), "\(error)")
            return error.description
        }
    }

    @Test func disableAndRequireConnectPlainAndEncrypted() throws {
        #expect(try encrypted(CatalogStores.open(url("sslmode=disable"), environment: cluster.environment)) == false)
        // require: encrypted, whoever signed the certificate.
        #expect(try encrypted(CatalogStores.open(url("sslmode=require"), environment: cluster.environment)) == true)
        #expect(try encrypted(CatalogStores.open(url("sslmode=prefer"), environment: cluster.environment)) == true)
    }

    @Test func verifyCATrustsOnlyTheGivenAuthority() throws {
        // verify-ca checks who signed the certificate, not the host name (the certificate is for localhost).
        let trusted = try CatalogStores.open(url("sslmode=verify-ca&sslrootcert=\(cluster.certificateAuthority)"), environment: cluster.environment)
        #expect(try encrypted(trusted))
        let wrong = refusal(url("sslmode=verify-ca&sslrootcert=\(cluster.otherCertificateAuthority)"))
        #expect(wrong?.contains("the server's certificate is not signed by a certificate authority in \(cluster.otherCertificateAuthority)") == true,
                "\(wrong ?? "connected")")
        let missing = refusal(url("sslmode=verify-ca&sslrootcert=/nonexistent/root.crt"))
        #expect(missing?.contains("the root certificate file /nonexistent/root.crt does not exist") == true, "\(missing ?? "connected")")
    }

    @Test func verifyFullChecksTheHostName() throws {
        let root = "sslrootcert=\(cluster.certificateAuthority)"
        #expect(try encrypted(CatalogStores.open(url(host: "localhost", "sslmode=verify-full&\(root)"), environment: cluster.environment)))
        // The same server by its address: not a name the certificate holds.
        let mismatch = refusal(url(host: "127.0.0.1", "sslmode=verify-full&\(root)"))
        #expect(mismatch?.contains("the server's certificate is not for 127.0.0.1") == true, "\(mismatch ?? "connected")")
        #expect(refusal(url(host: "localhost", "sslmode=verify-full&sslrootcert=\(cluster.otherCertificateAuthority)")) != nil)
    }

    @Test func requireAgainstAServerWithoutTLSIsAClearError() throws {
        let plain = try PostgresCluster.start()
        let name = try plain.createDatabase("notls")
        do {
            _ = try CatalogStores.open("\(plain.url(database: name))?sslmode=require", environment: plain.environment)
            Issue.record("connected without TLS")
        } catch {
            #expect(error.description.contains("the server does not offer TLS, which sslmode=require requires"), "\(error)")
        }
        // prefer falls back to a plain connection, as libpq's does.
        #expect(try encrypted(CatalogStores.open("\(plain.url(database: name))?sslmode=prefer", environment: plain.environment)) == false)
    }
}
