// Saker's own version, and the Falco engine version whose rules language it implements (rules files
// state `required_engine_version`; Saker accepts what this engine version accepts).
export const SAKER_VERSION = "0.1.0";
export const ENGINE_VERSION = "0.63.0";
