/// The id of one recorded decision. A ticket can be decided more than once (a lease taken
/// over, an update, a replay); each decision is kept, the latest is current.
public typealias DecisionID = Int64
