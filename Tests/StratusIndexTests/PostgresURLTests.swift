import StratusIndex
import Testing

@Suite struct PostgresURLTests {
    @Test func parsesEveryPart() throws {
        let url = try PostgresURL("postgresql://gnocchi:p%40ss@db.example:6543/index?sslmode=require")
        #expect(url.user == "gnocchi")
        #expect(url.password == "p@ss")
        #expect(url.host == "db.example")
        #expect(url.port == 6543)
        #expect(url.database == "index")
        #expect(url.sslMode == "require")
        #expect(url.socketDirectory == nil)
        #expect(url.configuration.host == "db.example")
        #expect(url.configuration.port == 6543)
    }

    @Test func appliesLibpqDefaults() throws {
        let url = try PostgresURL("postgres://localhost")
        #expect(url.user == "postgres")
        #expect(url.password == nil)
        #expect(url.port == 5432)
        #expect(url.database == "postgres")
        #expect(url.sslMode == "prefer")
    }

    @Test func socketDirectorySelectsAUnixSocket() throws {
        let url = try PostgresURL("postgresql://stratus@/metrics?host=/var/run/postgresql")
        #expect(url.socketDirectory == "/var/run/postgresql")
        #expect(url.configuration.unixSocketPath == "/var/run/postgresql/.s.PGSQL.5432")
        #expect(url.database == "metrics")
    }

    @Test func roundTripsAndMasksThePassword() throws {
        var url = try PostgresURL("postgresql://u:secret@127.0.0.1:55432/a")
        url.database = "b"
        #expect(try PostgresURL(url.urlString) == url)
        #expect(!url.description.contains("secret"))
    }

    @Test(arguments: [
        "mysql://u@h/db", "postgresql://u@h/db?sslmode=sometimes", "postgresql://u@h/db?application=x",
        "postgresql://u@h/db?host=relative",
    ])
    func rejectsInvalidURLs(_ text: String) {
        #expect { try PostgresURL(text) } throws: { error in
            (error as? IndexError)?.code == .invalidURL && !(error as! IndexError).message.contains("secret")
        }
    }
}
