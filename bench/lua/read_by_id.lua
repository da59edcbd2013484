-- GETs random Patients p1..pN.
local total = tonumber(os.getenv("BENCH_PATIENTS") or "100000")

function init(args)
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8)) or 0))
end

function request()
  return wrk.format("GET", "/fhir/Patient/p" .. math.random(1, total))
end

