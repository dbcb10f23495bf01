package io.atoll.platform.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/**
 * Issue 12 item 6 end to end: every service registers in ZooKeeper, platform-api's Spring Boot
 * Admin at {@code /admin} finds them there, and Debian's chromium (through chromedriver, headless)
 * shows them all UP and, in the Atoll view, the demo app with its release and instances. The
 * screenshots are kept in {@code platform-api/target/dashboard}.
 */
class DashboardIT {

    static final Path SHOTS = Path.of("target", "dashboard");
    static final List<String> SERVICES = List.of("platform-api", "image-registry", "node-agent", "gateway");

    static AtollPlatform platform;
    static WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        platform = AtollPlatform.start("dashboard", List.of("zone-a"), List.of(), List.of());
        platform.loginAsCi();
        platform.buildAndPush("hello:dash", "FROM atoll/hello:local");
        assertThat(platform.api("POST", "/api/v1/apps", "{\"name\":\"hello\"}").statusCode()).isEqualTo(201);
        String deploy = AtollPlatform.JSON.readTree(platform.api("POST", "/api/v1/apps/hello/deploys",
                "{\"image\":\"" + platform.registryHost() + "/hello:dash\",\"instances\":2}").body()).path("id").asString();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> platform
                .apiJson("/api/v1/apps/hello/deploys/" + deploy).path("status").asString().equals("SUCCEEDED"));
        Files.createDirectories(SHOTS);
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000");
        // Debian's chromedriver, never one Selenium Manager would download
        browser = new ChromeDriver(new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).build(), options);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void theDashboardListsEveryServiceUpAndTheAtollPageTheDemoApp() throws Exception {
        // what Spring Boot Admin found in ZooKeeper: the four services, each UP (no static list anywhere)
        Map<String, String> statuses = new TreeMap<>();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> {
            statuses.clear();
            for (JsonNode app : AtollPlatform.JSON.readTree(platform.api("GET", "/admin/applications", null).body())) {
                statuses.put(app.path("name").asString(), app.path("status").asString());
            }
            return statuses.keySet().containsAll(SERVICES) && statuses.values().stream().allMatch("UP"::equals);
        });

        String base = "http://127.0.0.1:" + platform.apiPort;
        browser.get(base + "/admin/applications");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
        wait.until(driver -> SERVICES.stream().allMatch(body(driver)::contains));
        String page = body(browser);
        shot("admin-applications.png");
        assertThat(page).contains(SERVICES).containsIgnoringCase("all up");
        assertThat(page.split("UP", -1)).as(page).hasSizeGreaterThan(SERVICES.size());
        assertThat(page).as(page).doesNotContainPattern("(?i)\\b(down|offline)\\b");

        // the Atoll view: Spring Boot Admin shows the page in a frame
        browser.get(base + "/admin/applications");
        By atollView = By.xpath("//*[self::a or self::button][normalize-space()='Atoll']");
        wait.until(driver -> !driver.findElements(atollView).isEmpty());
        browser.findElement(atollView).click();
        wait.until(driver -> !driver.findElements(By.tagName("iframe")).isEmpty());
        browser.switchTo().frame(browser.findElement(By.tagName("iframe")));
        wait.until(driver -> body(driver).contains("hello") && body(driver).contains("HEALTHY"));
        String atoll = body(browser);
        browser.switchTo().defaultContent();
        shot("atoll-page.png");
        assertThat(atoll).contains("Apps", "hello", "v1", "hello:dash", "zone-a", "Deploys in progress");
        assertThat(atoll).contains(platform.agents.get(0).nodeId);
        assertThat(atoll.split("HEALTHY", -1)).as(atoll).hasSizeGreaterThanOrEqualTo(3); // both instances
    }

    private static String body(WebDriver driver) {
        return driver.findElement(By.tagName("body")).getText();
    }

    private static void shot(String name) throws Exception {
        Files.write(SHOTS.resolve(name), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
