import SwitchyardCore
import Testing

@Suite("Departments and training labels")
struct DepartmentTests {
    @Test("labels that are not ids normalise to one: lower case, one _ for each run of other characters, none at the ends")
    func normalized() {
        let cases: [(String, DepartmentID)] = [
            ("Refund_not_showing_up", "refund_not_showing_up"),
            ("reverted_card_payment?", "reverted_card_payment"),
            ("  Lost or stolen card  ", "lost_or_stolen_card"),
            ("fees & FX", "fees_fx"),
            ("_cards_", "cards"),
            ("v2.billing-eu", "v2.billing-eu"),
            ("Überweisung", "berweisung"),
            ("???", ""),
        ]
        for (label, id) in cases {
            #expect(DepartmentID.normalized(label) == id, "\(label)")
        }
        #expect(DepartmentID("refund_not_showing_up").isValid && DepartmentID("v2.billing-eu").isValid)
        #expect(!DepartmentID("Refund_not_showing_up").isValid && !DepartmentID("_x").isValid && !DepartmentID("").isValid)
    }

    @Test("a label stands for the department of that id, else the one listing it, else the one it normalises to")
    func departmentForLabel() {
        let catalog = DepartmentCatalog([
            Department(id: "cards", name: "Cards", description: "", labels: ["card_arrival", "Card linking", "cards_x"]),
            Department(id: "refund_not_showing_up", name: "Refunds", description: ""),
            Department(id: "cards_x", name: "Other cards", description: ""),
        ])
        #expect(catalog.department(forLabel: "cards") == "cards")
        #expect(catalog.department(forLabel: "card_arrival") == "cards")
        #expect(catalog.department(forLabel: "Card linking") == "cards")
        #expect(catalog.department(forLabel: "Refund_not_showing_up") == "refund_not_showing_up")
        #expect(catalog.department(forLabel: "cards_x") == "cards_x", "an id wins over another department's label")
        #expect(catalog.department(forLabel: "card_linking") == nil, "labels are matched as written")
        #expect(catalog.department(forLabel: "billing") == nil)
    }
}
