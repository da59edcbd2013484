-- POSTs new Patients (server-assigned ids).
package.path = package.path .. ";" .. os.getenv("BENCH_LUA_DIR") .. "/?.lua"
local patient = require("patient")
local body = patient.body(nil)

function request()
  return wrk.format("POST", "/fhir/Patient",
                    {["Content-Type"] = "application/fhir+json", ["Prefer"] = "return=minimal"}, body)
end
