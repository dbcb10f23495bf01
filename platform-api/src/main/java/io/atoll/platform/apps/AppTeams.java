package io.atoll.platform.apps;

import io.atoll.platform.security.AppPermissions;
import io.atoll.platform.security.AtollUser;
import org.springframework.stereotype.Component;

/** An app is managed by the members of its team, and by admins. */
@Component
class AppTeams implements AppPermissions {

    private final AppRepository apps;

    AppTeams(AppRepository apps) {
        this.apps = apps;
    }

    @Override
    public boolean allows(AtollUser user, String app) {
        return user.admin() || apps.findById(app).map(found -> user.canManage(found.team())).orElse(true);
    }
}
