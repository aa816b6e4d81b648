import Testing
@testable import StratusCore

@Suite("[service_credentials] and [api] metadata_cache_ttl")
struct ServiceCredentialsConfigurationTests {
    static func section(_ name: String, _ yaml: String) throws -> ConfigurationSection {
        try ConfigurationFile.parse(yaml: yaml, file: "stratus.yaml", overrides: []).section(name)
    }

    @Test func keystoneCredentialsAreRead() throws {
        let credentials = try ServiceCredentialsConfiguration(Self.section("service_credentials", """
            service_credentials:
              auth_url: http://keystone:5000/v3
              username: ceilometer
              password: secret
              project_name: service
              interface: internalURL
              region_name: RegionOne
            """))
        #expect(credentials.usesKeystone)
        #expect(credentials.username == "ceilometer")
        #expect(credentials.interface == "internal")
        #expect(credentials.regionName == "RegionOne")
        #expect(credentials.userDomainName == "Default")
        #expect(credentials.timeout == 30_000_000_000)
    }

    @Test func aStaticCatalogNeedsNoKeystone() throws {
        let credentials = try ServiceCredentialsConfiguration(Self.section("service_credentials", """
            service_credentials: {catalog_file: /etc/stratus/catalog.yaml}
            """))
        #expect(!credentials.usesKeystone)
        #expect(credentials.catalogFile == "/etc/stratus/catalog.yaml")
    }

    @Test func errorsNameTheFileLineAndOption() throws {
        let missingPassword = """
            service_credentials:
              auth_url: http://keystone:5000/v3
              username: ceilometer
              project_name: service
            """
        #expect {
            try ServiceCredentialsConfiguration(Self.section("service_credentials", missingPassword))
        } throws: { error in
            "\(error)".contains("stratus.yaml:2") && "\(error)".contains("password is not")
        }
        #expect {
            try ServiceCredentialsConfiguration(Self.section("service_credentials", "service_credentials: {interface: sideways}"))
        } throws: { error in
            "\(error)".contains("public, internal, admin")
        }
    }

    @Test func metadataCacheTTLDefaultsToFiveSecondsAndRefusesNegatives() throws {
        #expect(try APIConfiguration(Self.section("api", "api: {}")).metadataCacheTTL == 5_000_000_000)
        #expect(try APIConfiguration(Self.section("api", "api: {metadata_cache_ttl: 0}")).metadataCacheTTL == 0)
        #expect(throws: ConfigurationError.self) {
            try APIConfiguration(Self.section("api", "api: {metadata_cache_ttl: -1}"))
        }
    }
}
