import ArgumentParser
import SwitchyardServer

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Prints the version.")

    func run() {
        print("switchyard \(Switchyard.version)")
    }
}
