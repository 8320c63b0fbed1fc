// Constraints and indexes, one statement each, all idempotent (IF NOT EXISTS).
// Every node label has a uniqueness constraint on its key: MERGE and look-ups by id use it.
CREATE CONSTRAINT area_area_id IF NOT EXISTS FOR (n:Area) REQUIRE n.area_id IS UNIQUE;
CREATE CONSTRAINT unit_unit_id IF NOT EXISTS FOR (n:Unit) REQUIRE n.unit_id IS UNIQUE;
CREATE CONSTRAINT person_person_id IF NOT EXISTS FOR (n:Person) REQUIRE n.person_id IS UNIQUE;
CREATE CONSTRAINT employee_employee_id IF NOT EXISTS FOR (n:Employee) REQUIRE n.employee_id IS UNIQUE;
CREATE CONSTRAINT access_access_id IF NOT EXISTS FOR (n:Access) REQUIRE n.access_id IS UNIQUE;
CREATE CONSTRAINT address_address_id IF NOT EXISTS FOR (n:Address) REQUIRE n.address_id IS UNIQUE;
CREATE CONSTRAINT vehicle_vehicle_id IF NOT EXISTS FOR (n:Vehicle) REQUIRE n.vehicle_id IS UNIQUE;
CREATE CONSTRAINT case_case_id IF NOT EXISTS FOR (n:Case) REQUIRE n.case_id IS UNIQUE;
CREATE CONSTRAINT action_action_id IF NOT EXISTS FOR (n:Action) REQUIRE n.action_id IS UNIQUE;
CREATE CONSTRAINT organisation_organisation_id IF NOT EXISTS FOR (n:Organisation) REQUIRE n.organisation_id IS UNIQUE;
CREATE CONSTRAINT shift_shift_id IF NOT EXISTS FOR (n:Shift) REQUIRE n.shift_id IS UNIQUE;
// The load lock (cypher/lock/): at most one GraphriskLock node per name, so two loads cannot both hold it.
CREATE CONSTRAINT graphrisk_lock_name IF NOT EXISTS FOR (n:GraphriskLock) REQUIRE n.name IS UNIQUE;

// Time-range filters on look-ups, shifts and planned actions.
CREATE INDEX access_ts IF NOT EXISTS FOR (n:Access) ON (n.ts);
CREATE INDEX shift_start IF NOT EXISTS FOR (n:Shift) ON (n.start_ts);
CREATE INDEX action_ts IF NOT EXISTS FOR (n:Action) ON (n.ts);
CREATE INDEX case_status IF NOT EXISTS FOR (n:Case) ON (n.status);
