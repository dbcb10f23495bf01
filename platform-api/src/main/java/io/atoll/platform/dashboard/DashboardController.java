package io.atoll.platform.dashboard;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The data of the dashboard's Atoll page (behind the dashboard's login, not the API's tokens). */
@RestController
class DashboardController {

    private final AtollOverview overview;

    DashboardController(AtollOverview overview) {
        this.overview = overview;
    }

    @GetMapping("/dashboard/overview")
    AtollOverview.Overview overview() {
        return overview.read();
    }
}
