-- Searches with random parameters over the data set of tools/put_search_data.cc, one shape per
-- run, chosen by BENCH_SEARCH:
--   token      Observation?code=http://loinc.org|<one of BENCH_RARE_CODES>
--   date       Observation?date=ge<YYYY-MM-01>&date=lt<the next month's first> (2010..2024)
--   reference  MedicationStatement?patient=Patient/p<N>
--   chain      MedicationStatement?patient.identifier=http://fhir.nl/fhir/NamingSystem/bsn|<900000000+N>
--   include    MedicationStatement?patient=Patient/p<N>&_include=MedicationStatement:subject
-- N is uniform over 1..BENCH_PATIENTS. Each request is a first page (default _count, total
-- counted), as a client that searches once would ask.
local shape = os.getenv("BENCH_SEARCH") or "token"
local patients = tonumber(os.getenv("BENCH_PATIENTS") or "10000")
local codes = {}
for code in string.gmatch(os.getenv("BENCH_RARE_CODES") or "2339-0", "[^,]+") do
  codes[#codes + 1] = code
end

function init(args)
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8)) or 0))
end

local function month()
  local year = math.random(2010, 2024)
  local m = math.random(1, 12)
  local next_year, next_month = year, m + 1
  if next_month == 13 then next_year, next_month = year + 1, 1 end
  return string.format("%04d-%02d-01", year, m), string.format("%04d-%02d-01", next_year, next_month)
end

local paths = {
  token = function()
    return "/fhir/Observation?code=http://loinc.org%7C" .. codes[math.random(1, #codes)]
  end,
  date = function()
    local from, to = month()
    return "/fhir/Observation?date=ge" .. from .. "&date=lt" .. to
  end,
  reference = function()
    return "/fhir/MedicationStatement?patient=Patient/p" .. math.random(1, patients)
  end,
  chain = function()
    return "/fhir/MedicationStatement?patient.identifier=http://fhir.nl/fhir/NamingSystem/bsn%7C" ..
      (900000000 + math.random(1, patients))
  end,
  include = function()
    return "/fhir/MedicationStatement?patient=Patient/p" .. math.random(1, patients) ..
      "&_include=MedicationStatement:subject"
  end,
}
local path = paths[shape] or error("BENCH_SEARCH: unknown shape " .. shape)

function request()
  return wrk.format("GET", path())
end
