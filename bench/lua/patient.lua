-- A Patient of about 1.5 KB, the body size the read-by-id target is stated for.
local M = {}

function M.body(id)
  local id_member = ""
  if id then id_member = '"id":"' .. id .. '",' end
  return '{"resourceType":"Patient",' .. id_member ..
    '"text":{"status":"generated","div":"<div xmlns=\\"http://www.w3.org/1999/xhtml\\">Benchmark patient ' ..
    (id or "new") .. ', a synthetic record used to measure read and write throughput of the server.</div>"},' ..
    '"identifier":[{"use":"official","system":"http://fhir.nl/fhir/NamingSystem/bsn","value":"999990007"},' ..
    '{"system":"urn:oid:2.16.840.1.113883.2.4.6.3","value":"123456782"}],' ..
    '"active":true,' ..
    '"name":[{"use":"official","family":"Jansen","given":["Anna","Maria","Johanna"],"prefix":["Mw."]},' ..
    '{"use":"usual","given":["Annie"]}],' ..
    '"telecom":[{"system":"phone","value":"+31 30 123 4567","use":"home"},' ..
    '{"system":"phone","value":"+31 6 12345678","use":"mobile"},' ..
    '{"system":"email","value":"anna.jansen@example.org","use":"home"}],' ..
    '"gender":"female","birthDate":"1961-04-12",' ..
    '"address":[{"use":"home","type":"physical","line":["Lindelaan 1"],"city":"Utrecht",' ..
    '"district":"Utrecht","postalCode":"3581 AB","country":"NL","period":{"start":"1999-06-01"}},' ..
    '{"use":"old","line":["Oude Gracht 12"],"city":"Utrecht","postalCode":"3511 AA","country":"NL",' ..
    '"period":{"start":"1985-01-01","end":"1999-05-31"}}],' ..
    '"maritalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-MaritalStatus",' ..
    '"code":"M","display":"Married"}]},' ..
    '"contact":[{"relationship":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0131",' ..
    '"code":"C","display":"Emergency Contact"}]}],"name":{"family":"Jansen","given":["Kees"]},' ..
    '"telecom":[{"system":"phone","value":"+31 6 87654321"}]}],' ..
    '"communication":[{"language":{"coding":[{"system":"urn:ietf:bcp:47","code":"nl-NL",' ..
    '"display":"Dutch (Netherlands)"}]},"preferred":true}],' ..
    '"generalPractitioner":[{"reference":"Organization/huisartsen-de-linde","display":"Huisartsenpraktijk De Linde"}],' ..
    '"managingOrganization":{"reference":"Organization/huisartsen-de-linde"}}'
end

return M
