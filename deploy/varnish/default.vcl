# Masthead's edge cache: Varnish 7.1 with varnish-modules (xkey, cookie).
#
# The application already renders every cacheable page for an entitlement class, never
# for a person, and says so in its headers; this file only has to agree with it on which
# requests are cacheable, key the cache by that class, and honour its surrogate-key purges.
# See deploy/varnish/README.md for how to run it and what each rule protects.

vcl 4.1;

import std;
import cookie;
import xkey;

# The application server. Tests and `make bench` write a copy of this file with their own
# port, so keep the two lines below in this exact form (one `.host`, one `.port`).
backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
}

# Who may purge: the application runs on this machine and purges through loopback.
# Anything else asking to PURGE is refused, or anyone could empty the cache under load.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "PURGE is allowed only from this machine"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "PURGE needs an xkey-purge header with the keys to drop"));
        }
        # A hard purge, not a soft one: a published correction must not be served stale
        # during a grace period; the next reader waits for one fresh render instead.
        set req.http.X-Edge-Purged = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.X-Edge-Purged + " objects"));
    }

    # Writes, and methods this file does not know, go to the application untouched.
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }

    # Pages that are personal or never cacheable by the application's own rule; their
    # cookies (session, CSRF) must reach the application, so they are passed whole.
    # (The same list as masthead/pagecache/rules.py; change both together.)
    if (req.url ~ "^/(admin|django-admin|api|documents|media|static|stripe)/"
        || req.url ~ "^/(fa/)?(accounts|subscriptions|comments|search|reader)/"
        || req.url ~ "^/(healthz|favicon\.ico)") {
        return (pass);
    }

    # Only an empty query string or a page number: anything else (search terms, tracking
    # parameters, a gift link, ?p=123) would multiply the variants or reach a personal view.
    if (req.url ~ "\?" && req.url !~ "\?(page=[0-9]{1,4})?$") {
        return (pass);
    }

    # A first visit, a crawler, a feed reader: no cookie to look at.
    if (!req.http.Cookie) {
        return (hash);
    }
    cookie.parse(req.http.Cookie);
    # A flash message is for one reader, on the next page they see.
    if (cookie.isset("messages")) {
        return (pass);
    }
    # A signed-in reader's class cookie is bound to their session and signed (an HMAC):
    # the edge can check neither, so it keeps anonymous pages only. Readers with a session
    # or a class go to the application, whose own page cache checks both and shares
    # each class's copy among its readers.
    if (cookie.isset("sessionid") || cookie.isset("masthead_class")) {
        return (pass);
    }

    # Eligible, and anonymous: drop every other cookie (CSRF, analytics) to keep one object.
    # (Varnish's built-in vcl_recv would pass any request with a Cookie; decide here.)
    unset req.http.Cookie;
    return (hash);
}

sub vcl_hash {
    # Only anonymous requests get here, their cookies dropped. Whatever Cookie header a
    # future rule lets through stays part of the key, so no two readers' cookies can ever
    # share an object.
    hash_data(req.url);
    if (req.http.host) {
        hash_data(req.http.host);
    } else {
        hash_data(server.ip);
    }
    hash_data("class:" + req.http.Cookie);
    return (lookup);
}

sub vcl_pass {
    # Only to label the answer PASS in vcl_deliver; removed before the backend sees it.
    set req.http.X-Edge-Pass = "1";
}

sub vcl_backend_fetch {
    unset bereq.http.X-Edge-Pass;
}

sub vcl_backend_response {
    if (bereq.uncacheable) {
        return (deliver);
    }
    # Personal answers are never stored: a Set-Cookie belongs to one reader, and the
    # application marks everything else personal as private or no-store.
    # (hit-for-miss for a short while: the next request still may be cached.)
    if (beresp.http.Set-Cookie
        || beresp.http.Cache-Control ~ "(?i)(private|no-store|no-cache)"
        || beresp.http.Cache-Control !~ "(?i)s-maxage=[0-9]*[1-9]"
        || beresp.http.Vary == "*") {
        set beresp.ttl = 10s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # The shared-cache lifetime and grace are the application's: s-maxage is how long
    # the page is fresh, stale-while-revalidate how long a stale copy may be served while
    # one request fetches the new one (a purge removes it at once regardless).
    set beresp.ttl = std.duration(
        regsub(beresp.http.Cache-Control, "^.*(?i)s-maxage=([0-9]+).*$", "\1s"), 0s);
    if (beresp.http.Cache-Control ~ "(?i)stale-while-revalidate=[0-9]+") {
        set beresp.grace = std.duration(
            regsub(beresp.http.Cache-Control,
                "^.*(?i)stale-while-revalidate=([0-9]+).*$", "\1s"), 0s);
    } else {
        set beresp.grace = 0s;
    }
    # xkey indexes the object by the words of its xkey header.
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    return (deliver);
}

sub vcl_deliver {
    # The keys are the newsroom's business, not the reader's.
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    if (req.http.X-Edge-Pass) {
        set resp.http.X-Edge-Cache = "PASS";
    } elsif (obj.hits > 0) {
        set resp.http.X-Edge-Cache = "HIT";
    } else {
        set resp.http.X-Edge-Cache = "MISS";
    }
}
