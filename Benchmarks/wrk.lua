-- wrk script for Benchmarks/intake.sh.
--
--   wrk ... -s Benchmarks/wrk.lua <url> -- get    <path>   GET <path> (e.g. /healthz)
--   wrk ... -s Benchmarks/wrk.lua <url> -- intake <run-id> POST /webhooks/generic, one new
--                                                          ticket id per request
--
-- Both modes count responses by status and print one machine-readable line at the end:
--   BENCH requests=… duration_us=… rps=… p50_us=… p90_us=… p99_us=… max_us=… s2xx=… s202=…
--         s200=… other=… err_connect=… err_read=… err_write=… err_timeout=… samples=id,id,…
-- `samples` holds a few ticket ids from 202 answers, for checking them through the API.

local threads = {}

function setup(thread)
    thread:set("tid", #threads + 1)
    table.insert(threads, thread)
end

local counter = 0
local headers = { ["Content-Type"] = "application/json" }

-- A ticket in the generic shape (Samples/webhooks/generic/card-not-arrived.json) with the id
-- left open: the idempotency key is the id plus the body's hash, so every request is new.
local template = '{"id": "%s", "subject": "Card hasn\'t arrived", '
    .. '"body": "I was told my new card would arrive within 5 working days. It\'s been two weeks and nothing has come. Can you check where it is?", '
    .. '"requester": {"name": "Priya Natarajan", "email": "priya.natarajan@example.com"}, '
    .. '"tags": ["mobile_app"], "channel": "chat", "language": "en", '
    .. '"custom_fields": {"plan": "premium", "customer_since": 2019, "vip": false}}'

function init(args)
    mode = args[1] or "get"
    argument = args[2] or "/healthz"
    s2xx, s202, s200, other = 0, 0, 0, 0
    samples = ""
    sampled = 0
end

function request()
    if mode == "intake" then
        counter = counter + 1
        local id = string.format("bench-%s-%d-%d", argument, tid, counter)
        return wrk.format("POST", "/webhooks/generic", headers, string.format(template, id))
    end
    return wrk.format("GET", argument)
end

function response(status, _, body)
    if status >= 200 and status < 300 then s2xx = s2xx + 1 end
    if status == 202 then
        s202 = s202 + 1
        if sampled < 4 and body then
            local id = body:match('"ticket_id"%s*:%s*"([^"]+)"')
            if id then
                samples = samples .. (samples == "" and "" or ",") .. id
                sampled = sampled + 1
            end
        end
    elseif status == 200 then
        s200 = s200 + 1
    elseif status < 200 or status >= 300 then
        other = other + 1
    end
end

function done(summary, latency, _)
    local t = { s2xx = 0, s202 = 0, s200 = 0, other = 0 }
    local ids = {}
    for _, thread in ipairs(threads) do
        for key, _ in pairs(t) do t[key] = t[key] + (thread:get(key) or 0) end
        local s = thread:get("samples")
        if s and s ~= "" then table.insert(ids, s) end
    end
    local seconds = summary.duration / 1e6
    io.write(string.format(
        "BENCH requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d "
            .. "s2xx=%d s202=%d s200=%d other=%d err_connect=%d err_read=%d err_write=%d err_timeout=%d samples=%s\n",
        summary.requests, summary.duration, summary.requests / seconds,
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
        t.s2xx, t.s202, t.s200, t.other,
        summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
        table.concat(ids, ",")))
end
