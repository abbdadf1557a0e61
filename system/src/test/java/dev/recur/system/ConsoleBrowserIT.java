package dev.recur.system;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Recur Console in a real browser (headless Chromium from the system's packages, driven by Selenium) against the
 * shared running system: sign in, create an every-minute schedule through the cron helper, see it fire and its job
 * finish, the charts drawn and the job's result, pause it, and a second tenant sees none of it. Screenshots of each
 * page go to {@code target/console-screenshots/}. The schedule's second item has a callback delivery refuses: its dead
 * letter is replayed from the Failures page.
 */
@Tag("e2e")
class ConsoleBrowserIT {

    private static final Path SHOTS = Path.of("target/console-screenshots");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A callback target delivery refuses (only the outside address is allowed): dead-lettered at once. */
    private static final String REFUSED_CALLBACK = "http://10.0.0.1:9/console-hook";

    private static LocalRecur recur;
    private static ChromeDriver browser;
    private static WebDriverWait wait;

    @BeforeAll
    static void start() throws IOException {
        recur = RecurSystem.get();
        RecurSystem.outside()
                .stubFor(get(urlPathEqualTo("/console-page"))
                        .willReturn(aResponse()
                                .withStatus(200)
                                .withHeader("Content-Type", "text/html")
                                .withBody("<html><body>console e2e page</body></html>")));
        Files.createDirectories(SHOTS);
        browser = startChromium();
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void shouldCreateWatchPauseAndIsolateAScheduleInTheBrowser() throws Exception {
        String base = recur.apiBaseUrl();
        browser.get(base + "/console");
        wait.until(ExpectedConditions.urlContains("/console/login"));
        shot("login");
        signIn(RecurSystem.CAROL);

        // create through the cron helper: the preset, its words and next fire times, a time zone, the items editor
        browser.findElement(By.id("new-schedule")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("items")));
        browser.findElement(By.cssSelector("[data-cron-preset='* * * * *']")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("cron-words"), "Every minute"));
        new Select(browser.findElement(By.id("timezone"))).selectByVisibleText("Europe/Vilnius");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("next-runs"), "Europe/Vilnius"));
        assertThat(browser.findElements(By.cssSelector("#next-runs li"))).hasSize(5);
        WebElement items = browser.findElement(By.id("items"));
        items.clear();
        // the second item's callback goes to a private address, which delivery refuses: a dead letter to replay
        items.sendKeys("[{\"source\": \"universal\", \"url\": \"" + RecurSystem.outsideUrl() + "/console-page\"},"
                + " {\"source\": \"universal\", \"url\": \"" + RecurSystem.outsideUrl() + "/console-page\","
                + " \"callback_url\": \"" + REFUSED_CALLBACK + "\"}]");
        shot("create-form");
        browser.findElement(By.id("save")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("schedule-id")));
        String id = browser.findElement(By.id("schedule-id")).getText();
        assertThat(browser.findElement(By.id("schedule-state")).getText()).isEqualTo("active");
        assertThat(browser.findElement(By.id("next-run-at")).getText()).endsWith("UTC");
        System.out.printf(
                Locale.ROOT,
                "[console-e2e] created schedule %s; next run %s%n",
                id,
                browser.findElement(By.id("next-run-at")).getText());

        // it fires at the next minute boundary: reload until its run's job is done
        long start = System.nanoTime();
        new WebDriverWait(browser, Duration.ofSeconds(150), Duration.ofSeconds(3)).until(driver -> {
            driver.navigate().refresh();
            return !driver.findElements(By.cssSelector("#runs .badge.done")).isEmpty();
        });
        System.out.printf(
                Locale.ROOT,
                "[console-e2e] a done job shown %.1f s after creating the schedule%n",
                (System.nanoTime() - start) / 1e9);
        assertThat(drawn("jobs-chart")).as("jobs-per-run chart drawn").isTrue();
        assertThat(drawn("rate-chart")).as("success-rate chart drawn").isTrue();
        new WebDriverWait(browser, Duration.ofSeconds(30), Duration.ofSeconds(2)).until(driver -> {
            driver.navigate().refresh();
            return !driver.findElements(By.id("success-rate")).isEmpty();
        });
        assertThat(drawn("outcomes-chart")).as("outcomes chart drawn").isTrue();
        shot("schedule");
        dark(true);
        shot("schedule-dark");
        dark(false);

        // the run's job and its result
        browser.findElement(By.cssSelector("#runs .job-link")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("job-status")));
        assertThat(browser.findElement(By.id("job-status")).getText()).isEqualTo("done");
        assertThat(browser.findElement(By.id("result-content")).getText()).contains("console e2e page");
        shot("job");

        // pause it from its page; the API agrees
        browser.get(base + "/console/schedules/" + id);
        wait.until(ExpectedConditions.elementToBeClickable(By.id("pause"))).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("schedule-state"), "paused"));
        JsonNode schedule = RecurSystem.api(RecurSystem.CAROL).get("/v1/schedules/" + id);
        assertThat(schedule.path("active").asBoolean()).isFalse();

        // the list: search and the paused filter find it
        browser.findElement(By.linkText("Schedules")).click();
        WebElement search = wait.until(ExpectedConditions.elementToBeClickable(By.id("q")));
        search.sendKeys(id);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#schedule-results .count"), "1 schedule"));
        new Select(browser.findElement(By.id("state"))).selectByValue("paused");
        wait.until(driver -> driver.getCurrentUrl().contains("state=paused"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-schedule-id='" + id + "']")));
        shot("schedules");
        // the refused callback is a dead letter on the Failures page; Replay asks delivery to try it again
        browser.findElement(By.linkText("Failures")).click();
        wait.until(ExpectedConditions.titleContains("Failures"));
        WebElement letter = new WebDriverWait(browser, Duration.ofSeconds(60), Duration.ofSeconds(2)).until(driver -> {
            driver.navigate().refresh();
            return driver.findElements(By.cssSelector("tr[data-dead-letter-id]")).stream()
                    .filter(row -> row.getText().contains(REFUSED_CALLBACK))
                    .findFirst()
                    .orElse(null);
        });
        String letterId = letter.getAttribute("data-dead-letter-id");
        assertThat(browser.findElement(By.id("dead-letter-state-" + letterId)).getText())
                .isEqualTo("dead");
        assertThat(letter.getText()).contains("schedule " + id);
        shot("failures");
        letter.findElement(By.cssSelector("button[type='submit']")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.id("dead-letter-state-" + letterId), "replay requested"));
        assertThat(browser.findElement(By.id("dead-letter-" + letterId)).getText())
                .contains("by " + RecurSystem.CAROL);
        System.out.printf(Locale.ROOT, "[console-e2e] dead letter %s replayed from the Failures page%n", letterId);
        assertThat(RecurSystem.api(RecurSystem.BOB)
                        .send("GET", "/v1/dead-letters/" + letterId, null)
                        .status())
                .as("another tenant's dead letter")
                .isEqualTo(404);

        // another tenant sees none of it
        browser.findElement(By.cssSelector(".logout button")).click();
        wait.until(ExpectedConditions.urlContains("/console/login"));
        signIn(RecurSystem.BOB);
        assertThat(browser.findElement(By.id("main")).getText()).doesNotContain(id);
        browser.get(base + "/console/schedules?q=" + id);
        assertThat(browser.findElement(By.cssSelector("#schedule-results .count"))
                        .getText())
                .isEqualTo("0 schedules");
        browser.get(base + "/console/schedules/" + id);
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Not found");
        browser.get(base + "/console/failures");
        assertThat(browser.findElement(By.id("main")).getText())
                .doesNotContain(id)
                .doesNotContain(letterId);
    }

    private static void signIn(String user) {
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("username")))
                .sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(RecurSystem.PASSWORD);
        browser.findElement(By.id("sign-in")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("signed-in-user"), user));
    }

    private static boolean drawn(String canvasId) {
        return Boolean.TRUE.equals(((JavascriptExecutor) browser)
                .executeScript(
                        "return typeof Chart !== 'undefined' && !!Chart.getChart(document.getElementById(arguments[0]));",
                        canvasId));
    }

    private static void dark(boolean on) {
        browser.executeCdpCommand(
                "Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", on ? "dark" : "light"))));
        browser.navigate().refresh();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("main")));
    }

    private static void shot(String name) {
        try {
            Files.write(SHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Debian's chromium and chromium-driver (.ci/run installs them); no download of a browser of Selenium's own. */
    private static ChromeDriver startChromium() {
        String binary = firstExisting(
                        "RECUR_CHROMIUM", "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
                .orElseThrow(() -> new IllegalStateException(
                        "no Chromium: apt-get install -y chromium chromium-driver" + " (or set RECUR_CHROMIUM)"));
        String driver = firstExisting("RECUR_CHROMEDRIVER", "/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")
                .orElseThrow(() -> new IllegalStateException(
                        "no chromedriver: apt-get install -y chromium-driver" + " (or set RECUR_CHROMEDRIVER)"));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(binary);
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--window-size=1280,900",
                "--force-prefers-reduced-motion",
                "--lang=en-GB");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(driver).toFile())
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    private static Optional<String> firstExisting(String variable, String... candidates) {
        return Stream.concat(Stream.ofNullable(System.getenv(variable)), Stream.of(candidates))
                .filter(path -> Files.isExecutable(Path.of(path)))
                .findFirst();
    }
}
