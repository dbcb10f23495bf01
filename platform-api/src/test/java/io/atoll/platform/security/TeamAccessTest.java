package io.atoll.platform.security;

/** The team rules against the API suite's embedded directory (UnboundID). */
class TeamAccessTest extends TeamAccessContract {
}
