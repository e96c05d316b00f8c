import KringCore
import Vapor

/// The cockpit's own tabs (dashboard, members, onboarding, champions, goals, reports, inbox, strategy, maturity, success log):
/// the five core tasks one click apart, each shown to those who may open it.
enum CockpitNav {
    static func bar(_ request: Request, current: String) -> HTMLNode {
        let t = request.context.localizer
        let manages = request.decide(.viewCockpit).isAllowed
        let tabs: [(path: String, key: String, shown: Bool)] = [
            ("/cockpit", "nav.cockpit", true), ("/cockpit/members", "nav.engagement", manages),
            ("/cockpit/onboarding", "nav.onboarding", manages), ("/cockpit/champions", "nav.champions", manages),
            ("/cockpit/mail", "nav.member_mail", manages), ("/cockpit/calendar", "nav.calendar", manages),
            ("/cockpit/listening", "nav.listening", manages),
            ("/goals", "nav.goals", true), ("/reports", "nav.reports", true),
            ("/inbox", "nav.inbox", manages), ("/strategy", "nav.strategy", true), ("/maturity", "nav.maturity", manages),
            ("/successes", "nav.successes", true),
        ]
        return H.nav(.class("cockpit-tabs"), .aria(.label, t("nav.cockpit_sections"))) {
            H.ul {
                for tab in tabs where tab.shown {
                    H.li {
                        H.a(
                            .to(tab.path), .id("tab-\(tab.path.dropFirst().replacingOccurrences(of: "/", with: "-"))"),
                            tab.path == current ? .aria(.current, "page") : .class("")
                        ) {
                            t(tab.key)
                        }
                    }
                }
            }
        }
    }
}
