package io.atoll.cli;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fresh {@link FakeApi} that wants {@link #TOKEN}, and a {@link Cli} with a home of its own
 * given that API and token the way CI gives them (ATOLL_URL, ATOLL_TOKEN).
 */
abstract class ApiFixture {

    static final String TOKEN = "atoll_pat_Tq81vZ0cKd4mWn7s";

    @TempDir
    Path home;

    FakeApi api;
    Cli cli;

    @BeforeEach
    void startApi() throws Exception {
        api = new FakeApi().requireToken(TOKEN);
        cli = new Cli(home).env("ATOLL_URL", api.url()).env("ATOLL_TOKEN", TOKEN);
    }

    @AfterEach
    void stopApi() {
        api.close();
    }
}
