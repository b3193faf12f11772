import Foundation
import SwitchyardCore
@testable import SwitchyardWebhooks
import Testing

/// Cleaning bodies before anyone classifies them, on real e-mail bodies (GitHub's
/// email_reply_parser fixtures, `Samples/emails/`) and real helpdesk HTML.
@Suite struct TicketTextCleanerTests {
    static func email(_ name: String) throws -> String {
        try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("Samples/emails/\(name).txt"), encoding: .utf8)
    }

    @Test("what a person wrote this time is kept; the quoted thread, signatures and mobile footers are not", arguments: [
        ("email_1_3", "Oh thanks.\n\nHaving the function would be great.\n\n-Abhishek Kona"),
        ("correct_sig", "this is an email with a correct -- signature."),
        ("email_iPhone", "Here is another email"),
        ("email_BlackBerry", "Here is another email"),
        ("email_multi_word_sent_from_my_mobile_device", "Here is another email"),
        ("email_2_1", "Outlook with a reply"),
        ("email_sent_from_my_not_signature", "Here is another email\n\nSent from my desk, is much easier then my mobile phone."),
        ("email_sig_delimiter_in_middle_of_line", "Hi there!\n\nStuff happened.\n\nAnd here is a fix -- this is not a signature.\n\nkthxbai"),
    ])
    func replies(name: String, expected: String) throws {
        #expect(TicketTextCleaner.clean(try Self.email(name)) == expected)
    }

    @Test("an inline reply keeps the answers between the quotes, without the quotes or their attribution")
    func inlineReply() throws {
        let cleaned = TicketTextCleaner.clean(try Self.email("email_1_2"))
        #expect(cleaned.hasPrefix("Hi,\n\nYou can list the keys for the bucket and call delete for each."), "\(cleaned)")
        #expect(cleaned.contains("would do it."))
        #expect(!cleaned.contains("Abhishek Kona wrote"))
        #expect(!cleaned.contains("What is the best way to clear a Riak bucket"))
        #expect(!cleaned.contains("riak-users mailing list"), "the list's footer is not the reply")
    }

    @Test("\"On …\" in the reply itself is kept; only an attribution before quoted lines goes")
    func greedyOn() throws {
        let cleaned = TicketTextCleaner.clean(try Self.email("greedy_on"))
        #expect(cleaned.hasPrefix("On your remote host you can run:\n\ntelnet 127.0.0.1 52698"), "\(cleaned)")
        #expect(cleaned.hasSuffix("fails, the tunnel is not working."), "\(cleaned)")
    }

    @Test("a quoted thread or a long signature does not change what rules and models read")
    func quotedThreadChangesNothing() {
        let reply = "Hi, my card was charged twice for the same hotel booking. Please refund one of them."
        let thread = reply + """


            On Mon, 30 Nov 2026 at 09:12, Acme Bank Support <support@acme.example> wrote:
            > Your card has been blocked because we suspect fraud. If your card was stolen, call us.
            > Kind regards, the fraud team

            --\u{20}
            Maria Costa | Head of Purchasing | Costa & Filhos Lda
            This e-mail and any attachments are confidential. If you are not the intended recipient, any
            disclosure, copying or distribution is prohibited; report fraud to abuse@costa.example.
            """
        #expect(TicketTextCleaner.clean(thread) == reply)
        #expect(TicketTextCleaner.clean(reply) == reply)
    }

    @Test("HTML becomes text: blocks as lines, entities decoded, hidden parts and quoted replies left out")
    func html() {
        let gmail = """
            <html><head><style>p {color: red}</style></head><body>
            <div dir="ltr">My card&nbsp;ending 4411 was declined at Caf&eacute; Lisboa&#8217;s terminal.<br>Can you check?</div>
            <ul><li>Amount: 12,50 &euro;</li><li>Time: 09:14</li></ul>
            <div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, Nov 30, 2026 at 9:00 AM Support wrote:<br></div>
            <blockquote class="gmail_quote">Your account was flagged for <b>fraud</b>.</blockquote></div>
            <!-- tracking pixel --><img src="https://t.example/p.gif"></body></html>
            """
        #expect(TicketTextCleaner.clean(gmail) == """
            My card ending 4411 was declined at Café Lisboa’s terminal.
            Can you check?
            - Amount: 12,50 €
            - Time: 09:14
            """)
        let outlook = #"<p>Please close my account.</p><div id="divRplyFwdMsg"><b>From:</b> Acme<br><b>Sent:</b> Monday</div><p>Old message about fraud</p>"#
        #expect(TicketTextCleaner.clean(outlook) == "Please close my account.")
        #expect(TicketTextCleaner.clean("Is 3 < 5? Yes, and 5 > 3.") == "Is 3 < 5? Yes, and 5 > 3.", "text mentioning < is not HTML")
    }

    @Test("the quick check that a body needs no cleaning never disagrees with the cleaning, on every sample text")
    func quickCheckAgrees() throws {
        var texts = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("Samples/tickets.csv"), encoding: .utf8)
            .components(separatedBy: "\r\n")
        texts += ["email_1_2", "email_1_3", "correct_sig", "email_iPhone", "email_2_1", "greedy_on"].compactMap { try? Self.email($0) }
        texts += ["a\n\nb", "a\n\n\nb", " a", "a ", "a  b", "a\tb", "\na", "a\n", "On Monday I paid", "> q", "-- \nsig", "x\u{A0}y", "<b>x</b>"]
        var quick = 0
        for text in texts where TicketTextCleaner.isAlreadyClean(text) {
            quick += 1
            #expect(TicketTextCleaner.cleanedFully(text) == text, "\(text)")
        }
        #expect(quick > texts.count / 2, "most texts take the quick path (\(quick) of \(texts.count))")
    }

    @Test("a body that is all quote is kept (normalised) rather than emptied")
    func nothingLeft() {
        #expect(TicketTextCleaner.clean("> only a quote\n> here") == "> only a quote\n> here")
    }

    @Test("the adapter cleans the mapped body and keeps what was sent beside it; clean_body: false turns it off")
    func adapterKeepsOriginal() throws {
        let generic = try Fixtures.adapter("generic")
        let body = #"{"id":"T-9","body":"<p>My card was <b>stolen</b>.</p><blockquote>earlier message</blockquote>"}"#
        let ticket = try generic.decode(body: Array(body.utf8)).ticket
        #expect(ticket.body == "My card was stolen.")
        #expect(ticket.originalBody == "<p>My card was <b>stolen</b>.</p><blockquote>earlier message</blockquote>")
        let plain = try generic.decode(body: Array(#"{"id":"T-10","body":"My card was stolen."}"#.utf8)).ticket
        #expect(plain.originalBody == nil, "nothing to keep when cleaning changed nothing")

        let raw = try Adapter(
            yaml: """
                name: raw
                signature: {scheme: none}
                idempotency: [{path: $.id}]
                mapping: {external_id: $.id, body: $.body, clean_body: false}
                """, file: "raw.yaml")
        #expect(try raw.decode(body: Array(body.utf8)).ticket.body.hasPrefix("<p>"))
    }
}
