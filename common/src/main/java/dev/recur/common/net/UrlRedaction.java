package dev.recur.common.net;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * A URL as logs and dead letters may show it: scheme, host, port and path; no userinfo, no query and no fragment,
 * which are where receivers put their tokens ({@code https://user:pw@host/hook?token=…}). A removed query shows as
 * {@code ?…} so that a reader sees one was there.
 */
public final class UrlRedaction {

    private UrlRedaction() {}

    public static String redact(String url) {
        if (url == null) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            return "(not a URL)";
        }
        if (uri.getScheme() == null || uri.isOpaque() || uri.getRawAuthority() == null) {
            return "(not a URL)";
        }
        String host = uri.getHost();
        if (host == null) {
            // a registry-based authority: drop anything before an '@'
            String authority = uri.getRawAuthority();
            host = authority.substring(authority.lastIndexOf('@') + 1);
        } else if (uri.getPort() >= 0) {
            host = host + ":" + uri.getPort();
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        return uri.getScheme() + "://" + host + path + (uri.getRawQuery() != null ? "?…" : "");
    }

    /** {@code text} with every occurrence of {@code url} replaced by its redaction (for messages that quote it). */
    public static String redactIn(String text, String url) {
        if (text == null || url == null || url.isEmpty()) {
            return text;
        }
        return text.replace(url, redact(url));
    }
}
