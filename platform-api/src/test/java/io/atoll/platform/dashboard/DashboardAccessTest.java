package io.atoll.platform.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.platform.ApiTestSupport;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The dashboard outside dev: a browser login with the directory password, admins only; the API's
 * tokens do not open it and its session does not open the API.
 */
class DashboardAccessTest extends ApiTestSupport {

    record Browser(HttpClient client, CookieManager cookies) {
    }

    private Browser browser() {
        CookieManager cookies = new CookieManager();
        return new Browser(HttpClient.newBuilder().cookieHandler(cookies).followRedirects(HttpClient.Redirect.NEVER)
                .build(), cookies);
    }

    private HttpResponse<String> get(Browser browser, String path, String accept) throws Exception {
        return browser.client().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Accept", accept).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private String xsrf(Browser browser) {
        return browser.cookies().getCookieStore().getCookies().stream().filter(c -> c.getName().equals("XSRF-TOKEN"))
                .map(HttpCookie::getValue).findFirst().orElseThrow();
    }

    private HttpResponse<String> login(Browser browser, String user, String password) throws Exception {
        assertThat(get(browser, "/admin/login", "text/html").statusCode()).isEqualTo(200);
        String form = "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&_csrf=" + xsrf(browser);
        return browser.client().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void onlyAnAdminWhoLoggedInWithTheDirectoryPasswordSeesTheDashboard() throws Exception {
        Browser anonymous = browser();
        HttpResponse<String> page = get(anonymous, "/admin/applications", "text/html");
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location").orElseThrow()).endsWith("/admin/login");
        assertThat(get(anonymous, "/dashboard/overview", "application/json").statusCode()).isIn(302, 401, 403);

        // a wrong password, and a member of a team who is not an admin
        assertThat(login(browser(), "ada", "wrong").headers().firstValue("Location").orElseThrow())
                .endsWith("/admin/login?error");
        Browser ann = browser();
        assertThat(login(ann, "ann", "ann-secret-1").statusCode()).isEqualTo(302);
        assertThat(get(ann, "/admin/applications", "application/json").statusCode()).isEqualTo(403);
        assertThat(get(ann, "/dashboard/overview", "application/json").statusCode()).isEqualTo(403);

        Browser ada = browser();
        HttpResponse<String> loggedIn = login(ada, "ada", "ada-secret-4");
        assertThat(loggedIn.statusCode()).isEqualTo(302);
        assertThat(loggedIn.headers().firstValue("Location").orElseThrow()).endsWith("/admin/");
        HttpResponse<String> applications = get(ada, "/admin/applications", "application/json");
        assertThat(applications.statusCode()).isEqualTo(200);
        assertThat(applications.body()).startsWith("[");
        HttpResponse<String> overview = get(ada, "/dashboard/overview", "application/json");
        assertThat(overview.statusCode()).isEqualTo(200);
        assertThat(json.readTree(overview.body()).has("apps")).isTrue();
        assertThat(get(ada, "/admin/applications", "text/html").headers().firstValue("X-Frame-Options"))
                .hasValue("SAMEORIGIN");

        // the session does not open the API, whose calls need a token
        assertThat(get(ada, "/api/v1/apps", "application/json").statusCode()).isEqualTo(401);
        // a change without the CSRF token is refused, even with the session
        HttpResponse<String> forged = ada.client().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/admin/logout")).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(403);
        // and a token does not open the dashboard
        HttpResponse<String> withToken = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/dashboard/overview")).header("Authorization", "Bearer " + TOKEN)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(withToken.statusCode()).isNotEqualTo(200);
    }
}
