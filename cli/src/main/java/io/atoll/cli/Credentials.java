package io.atoll.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import tools.jackson.databind.node.ObjectNode;

/**
 * A username and password, asked for on the terminal (the password without echo) or read from
 * standard input, and traded for an API token: {@code POST /api/v1/tokens} with HTTP Basic.
 */
final class Credentials {

    private Credentials() {
    }

    /** @param remembered the user last logged in to this URL: the default, asked or not */
    static String user(Terminal terminal, String given, String remembered) {
        if (given != null) {
            return checked(given);
        }
        if (terminal.console() == null) {
            if (remembered != null) {
                return checked(remembered);
            }
            throw new CliException(ExitCodes.USAGE, "no terminal to ask the username on: give --user");
        }
        String suggestion = remembered != null ? remembered : terminal.variable("USER");
        String typed = terminal.console().readLine(suggestion == null ? "Username: " : "Username [%s]: ", suggestion);
        if (typed == null || typed.isBlank()) {
            if (suggestion == null) {
                throw new CliException(ExitCodes.USAGE, "no username given");
            }
            return checked(suggestion);
        }
        return checked(typed.strip());
    }

    private static String checked(String user) {
        if (user.isEmpty() || user.indexOf(':') >= 0 || !Terminal.printable(user).equals(user)) {
            throw new CliException(ExitCodes.USAGE, "a username has no ':' and no control characters");
        }
        return user;
    }

    /** The password: all of standard input but its last line end, or typed without echo. */
    static char[] password(Terminal terminal, boolean fromStdin, String user, ApiUrl url) {
        char[] password;
        if (fromStdin) {
            String text;
            try {
                text = new String(terminal.in().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new CliException(ExitCodes.ERROR, "cannot read the password from standard input");
            }
            if (text.endsWith("\n")) {
                text = text.substring(0, text.length() - (text.endsWith("\r\n") ? 2 : 1));
            }
            password = text.toCharArray();
        } else {
            if (terminal.console() == null) {
                throw new CliException(ExitCodes.USAGE, "no terminal to ask the password on",
                        "pipe it in with --password-stdin");
            }
            password = terminal.console().readPassword("Password for %s at %s: ", user, url);
            if (password == null) {
                throw new CliException(ExitCodes.USAGE, "no password given");
            }
        }
        if (password.length == 0) {
            throw new CliException(ExitCodes.USAGE, "the password is empty");
        }
        return password;
    }

    /**
     * A new token named {@code name}: the API's answer {@code {id, name, user, token, createdAt, expiresAt}}.
     *
     * @param days its lifetime, or null for the API's default
     */
    static ApiClient.Response issueToken(ApiUrl url, String user, char[] password, String name, Integer days,
            java.time.Duration timeout) {
        byte[] pair = (user + ":" + new String(password)).getBytes(StandardCharsets.UTF_8);
        String basic = "Basic " + Base64.getEncoder().encodeToString(pair);
        Arrays.fill(pair, (byte) 0);
        Arrays.fill(password, '\0');
        ObjectNode body = Json.object().put("name", name);
        if (days != null) {
            body.put("expiresInDays", days);
        }
        try {
            return new ApiClient(url, basic, null, timeout).send("POST", "/api/v1/tokens", body);
        } catch (CliException e) {
            if (e.exitCode() == ExitCodes.NOT_LOGGED_IN) {
                throw new CliException(ExitCodes.NOT_LOGGED_IN, e.getMessage(), "check the username and password");
            }
            throw e;
        }
    }

    /** {@code cli@<this host>}: which machine a token was made on, when the tokens are listed. */
    static String tokenName() {
        String host = null;
        try {
            host = Files.readString(Path.of("/etc/hostname")).strip();
        } catch (IOException | RuntimeException e) {
            // not Linux, or no such file
        }
        if (host == null || host.isEmpty()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                host = "unknown";
            }
        }
        host = host.replaceAll("[^A-Za-z0-9.-]", "");
        return "cli@" + (host.length() > 60 ? host.substring(0, 60) : host);
    }
}
