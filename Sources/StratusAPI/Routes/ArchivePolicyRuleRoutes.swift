import Hummingbird

struct ArchivePolicyRuleRoutes: APIRouteCollection {
    let environment: APIEnvironment

    func register(on group: RouterGroup<APIRequestContext>) {
    }
}
