"""CloudFront Functions in QuickJS: the documented event, the result turned back, limits and isolation."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from localcloud.edge.cf_functions import (
    CloudFrontFunction,
    FunctionCodeError,
    FunctionError,
    apply_request,
    apply_response,
    viewer_request_event,
    viewer_response_event,
)
from localcloud.edge.model import EdgeRequest, EdgeResponse

IDS = {
    "distribution_domain": "d111111abcdef8.cloudfront.net",
    "distribution_id": "EDFDVBD6EXAMPLE",
    "request_id": "r-1",
}

# The example: directory-style URLs get their index document, files are left alone.
INDEX_REWRITE = """
function handler(event) {
    var request = event.request;
    var uri = request.uri;
    if (uri.endsWith('/')) {
        request.uri += 'index.html';
    } else if (!uri.includes('.')) {
        request.uri += '/index.html';
    }
    return request;
}
"""


def request(uri: str = "/", query: str = "", headers: list[tuple[str, str]] | None = None) -> EdgeRequest:
    return EdgeRequest("GET", uri, query, headers or [("Host", "d111111abcdef8.cloudfront.net")], "198.51.100.11")


def run_request(code: str, req: EdgeRequest, **kwargs) -> EdgeRequest | EdgeResponse:
    fn = CloudFrontFunction(code, name="test", **kwargs)
    return apply_request(fn.viewer_request(viewer_request_event(req, **IDS)), req)


@pytest.mark.parametrize(
    ("uri", "rewritten"),
    [("/docs/x", "/docs/x/index.html"), ("/docs/", "/docs/index.html"), ("/docs/x.css", "/docs/x.css")],
)
def test_index_rewrite_adds_index_html_to_directory_paths_only(uri, rewritten):
    result = run_request(INDEX_REWRITE, request(uri, "v=1"))
    assert isinstance(result, EdgeRequest)
    assert (result.uri, result.querystring) == (rewritten, "v=1")
    assert result.headers == [("Host", "d111111abcdef8.cloudfront.net")]


def test_a_returned_response_short_circuits_the_origin_as_a_redirect():
    code = """
    function handler(event) {
        return {
            statusCode: 302,
            statusDescription: 'Found',
            headers: { location: { value: 'https://example.com' + event.request.uri } },
            cookies: { seen: { value: '1', attributes: 'Path=/' } },
        };
    }
    """
    result = run_request(code, request("/old"))
    assert isinstance(result, EdgeResponse)
    assert result.status == 302
    assert result.headers == [("Location", "https://example.com/old"), ("Set-Cookie", "seen=1; Path=/")]
    assert result.body == b""


def test_a_generated_body_is_text_or_base64():
    code = """
    function handler(event) {
        if (event.request.uri === '/text') return { statusCode: 200, body: 'hello' };
        return { statusCode: 200, body: { encoding: 'base64', data: 'aGk=' } };
    }
    """
    assert run_request(code, request("/text")).body == b"hello"
    assert run_request(code, request("/b64")).body == b"hi"


def test_a_function_that_throws_is_a_503():
    with pytest.raises(FunctionError) as caught:
        run_request("function handler(event) { throw new Error('boom'); }", request())
    assert caught.value.status == 503
    assert "Error: boom" in caught.value.message


def test_an_infinite_loop_is_stopped_within_the_time_bound():
    fn = CloudFrontFunction("function handler(event) { while (true) {} }", name="loop", time_limit_ms=50)
    started = time.perf_counter()
    with pytest.raises(FunctionError, match="time limit") as caught:
        fn.viewer_request(viewer_request_event(request(), **IDS))
    assert time.perf_counter() - started < 1.0
    assert caught.value.status == 503


def test_an_async_loop_is_stopped_too():
    code = "async function handler(event) { await null; for (;;) { await null; } }"
    fn = CloudFrontFunction(code, name="loop", time_limit_ms=50)
    with pytest.raises(FunctionError, match="time limit"):
        fn.viewer_request(viewer_request_event(request(), **IDS))


@pytest.mark.parametrize(
    "call",
    ["fetch('https://example.com')", "new XMLHttpRequest()", "require('http')", "require('net')", "require('fs')"],
)
def test_there_is_no_network_or_file_system(call):
    with pytest.raises(FunctionError) as caught:
        run_request(f"function handler(event) {{ {call}; return event.request; }}", request())
    assert caught.value.status == 503


@pytest.mark.parametrize("call", ["eval('1')", "new Function('return 1')", "(function(){}).constructor('return 1')"])
def test_dynamic_code_evaluation_throws(call):
    with pytest.raises(FunctionError, match="Dynamic code evaluation"):
        run_request(f"function handler(event) {{ {call}; return event.request; }}", request())


def test_memory_is_bounded():
    code = "function handler(event) { var a = []; for (;;) a.push('x'.repeat(1024) + a.length); }"
    with pytest.raises(FunctionError, match="memory limit"):
        run_request(code, request())


def test_code_over_10_kb_is_refused_at_construction():
    with pytest.raises(FunctionCodeError, match="10240"):
        CloudFrontFunction("function handler(e) { return e.request; }\n" + "//" + "x" * 10240, name="big")


@pytest.mark.parametrize(
    ("code", "runtime", "message"),
    [
        ("function handler(e) { return e.request;", "cloudfront-js-2.0", "SyntaxError"),
        ("import x from 'http';\nfunction handler(e) { return e.request; }", "cloudfront-js-2.0", "'http'"),
        ("import cf from 'cloudfront';\nfunction handler(e) { return e.request; }", "cloudfront-js-1.0", "js-2.0"),
        ("function handler(e) { return e.request; }", "cloudfront-js-3.0", "unknown runtime"),
    ],
)
def test_unpublishable_code_is_refused_at_construction(code, runtime, message):
    with pytest.raises(FunctionCodeError, match=message):
        CloudFrontFunction(code, name="bad", runtime=runtime)


def test_the_viewer_request_event_is_shaped_as_documented():
    req = EdgeRequest(
        "GET",
        "/media/index.mpd",
        "ID=42&NoValue&querymv=val1&querymv=val2%2Cval3",
        [
            ("Host", "video.example.com"),
            ("Accept", "application/json"),
            ("Accept", "application/xml"),
            ("Cookie", "Cookie1=value1; cookiemv=value3"),
            ("Cookie", "cookiemv=value4"),
            ("Connection", "keep-alive"),
            ("X-Amz-Cf-Id", "hidden"),
        ],
        "198.51.100.11",
    )
    assert viewer_request_event(req, **IDS) == {
        "version": "1.0",
        "context": {
            "distributionDomainName": "d111111abcdef8.cloudfront.net",
            "distributionId": "EDFDVBD6EXAMPLE",
            "eventType": "viewer-request",
            "requestId": "r-1",
        },
        "viewer": {"ip": "198.51.100.11"},
        "request": {
            "method": "GET",
            "uri": "/media/index.mpd",
            "querystring": {
                "ID": {"value": "42"},
                "NoValue": {"value": ""},
                "querymv": {"value": "val1", "multiValue": [{"value": "val1"}, {"value": "val2%2Cval3"}]},
            },
            "headers": {
                "host": {"value": "video.example.com"},
                "accept": {
                    "value": "application/json",
                    "multiValue": [{"value": "application/json"}, {"value": "application/xml"}],
                },
            },
            "cookies": {
                "Cookie1": {"value": "value1"},
                "cookiemv": {"value": "value3", "multiValue": [{"value": "value3"}, {"value": "value4"}]},
            },
        },
    }


def test_the_viewer_response_event_has_the_response_without_its_body():
    resp = EdgeResponse(
        200,
        [
            ("Content-Type", "application/json"),
            ("Set-Cookie", "ID=id1234; Expires=Wed, 05 Apr 2021 07:28:00 GMT"),
            ("Set-Cookie", "plain=1"),
            ("X-Cache", "Miss from cloudfront"),
        ],
        b'{"secret": true}',
    )
    event = viewer_response_event(request(), resp, **IDS)
    assert event["context"]["eventType"] == "viewer-response"
    assert event["request"]["headers"] == {"host": {"value": "d111111abcdef8.cloudfront.net"}}
    assert event["response"] == {
        "statusCode": 200,
        "statusDescription": "OK",
        "headers": {"content-type": {"value": "application/json"}},
        "cookies": {
            "ID": {"value": "id1234", "attributes": "Expires=Wed, 05 Apr 2021 07:28:00 GMT"},
            "plain": {"value": "1"},
        },
    }


def test_a_viewer_response_function_adds_a_header_and_keeps_the_body():
    code = """
    function handler(event) {
        var response = event.response;
        response.headers['strict-transport-security'] = { value: 'max-age=63072000' };
        return response;
    }
    """
    resp = EdgeResponse(200, [("Content-Type", "text/html"), ("X-Cache", "Hit from cloudfront")], b"<p>hi</p>")
    fn = CloudFrontFunction(code, name="hsts")
    result = apply_response(fn.viewer_response(viewer_response_event(request(), resp, **IDS)), resp)
    assert result.status == 200
    assert result.body == b"<p>hi</p>"
    assert result.headers == [
        ("Content-Type", "text/html"),
        ("Strict-Transport-Security", "max-age=63072000"),
        ("X-Cache", "Hit from cloudfront"),
    ]


def test_a_viewer_response_function_can_replace_the_status_and_body():
    code = "function handler(e) { var r = e.response; r.statusCode = 404; r.body = 'gone'; return r; }"
    resp = EdgeResponse(200, [("Content-Length", "9")], b"<p>hi</p>")
    result = apply_response(
        CloudFrontFunction(code, name="t").viewer_response(viewer_response_event(request(), resp, **IDS)), resp
    )
    assert (result.status, result.body, result.headers) == (404, b"gone", [])


def test_multivalue_rules_apply_when_the_result_goes_back():
    code = """
    function handler(event) {
        var h = event.request.headers;
        h.accept.value = 'text/plain';              // multiValue untouched: only the first value changes
        h['x-list'].multiValue = [{ value: 'a' }];  // multiValue changed: it wins
        event.request.cookies.session = { value: 'new' };
        return event.request;
    }
    """
    req = request(
        headers=[
            ("Host", "h"),
            ("Accept", "application/json"),
            ("Accept", "application/xml"),
            ("X-List", "1"),
            ("X-List", "2"),
            ("Cookie", "a=1"),
        ]
    )
    result = run_request(code, req)
    assert result.headers == [
        ("Host", "h"),
        ("Accept", "text/plain"),
        ("Accept", "application/xml"),
        ("X-List", "a"),
        ("Cookie", "a=1; session=new"),
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("r.headers.host = {value: 'evil.example'}", "read-only header Host"),
        ("r.headers['x-amz-cf-id'] = {value: 'x'}", "disallowed header"),
        ("r.headers['X-Upper'] = {value: 'x'}", "lowercase"),
        ("r.headers['x-bad'] = {value: 'a\\r\\nb'}", "control character"),
        ("r.uri = 'no-slash'", "starting with '/'"),
        ("r.method = 'POST'", "method"),
    ],
)
def test_a_result_that_breaks_a_rule_is_a_502(change, message):
    with pytest.raises(FunctionError) as caught:
        run_request(f"function handler(e) {{ var r = e.request; {change}; return r; }}", request())
    assert caught.value.status == 502
    assert message in caught.value.message


@pytest.mark.parametrize("returned", ["undefined", "'a string'", "event"])
def test_an_invalid_return_is_a_502(returned):
    with pytest.raises(FunctionError) as caught:
        run_request(f"function handler(event) {{ return {returned}; }}", request())
    assert caught.value.status == 502


def test_js2_features_run_async_template_literals_and_crypto():
    code = """
    import crypto from 'crypto';
    const qs = require('querystring');
    const digest = async (text) => crypto.createHash('sha256').update(text).digest('hex');
    async function handler(event) {
        const { request } = event;
        const [first = 'none'] = Object.keys(request.querystring);
        request.headers['x-sha'] = { value: await digest(`${request.uri}?${first}`) };
        request.headers['x-hmac'] = { value: crypto.createHmac('sha1', 'key').update('data').digest('base64url') };
        const raw = crypto.createHash('md5').update(Buffer.from('hi')).digest();  // a Buffer in js-2.0
        request.headers['x-md5'] = { value: raw.toString('hex') };
        request.headers['x-qs'] = { value: qs.stringify({ a: ['1', '2'], b: 'x y' }) };
        request.headers['x-text'] = { value: new TextDecoder().decode(new TextEncoder().encode('\\u00fc')) };
        return request;
    }
    """
    result = run_request(code, request("/p", "q=1"))
    got = dict(result.headers)
    assert got["X-Sha"] == hashlib.sha256(b"/p?q").hexdigest()
    assert got["X-Hmac"] == base64.urlsafe_b64encode(hmac.new(b"key", b"data", "sha1").digest()).rstrip(b"=").decode()
    assert got["X-Md5"] == hashlib.md5(b"hi").hexdigest()  # noqa: S324 - checking the JS md5
    assert got["X-Qs"] == "a=1&a=2&b=x%20y"
    assert got["X-Text"] == "\u00fc"


@pytest.mark.parametrize("size", [0, 1, 55, 56, 63, 64, 65, 200])
@pytest.mark.parametrize("algorithm", ["md5", "sha1", "sha256"])
def test_the_js_hashes_match_hashlib(algorithm, size):
    code = f"""
    const crypto = require('crypto');
    function handler(event) {{
        const data = Buffer.alloc({size}, 'ab');
        event.request.headers['x-h'] = {{ value: crypto.createHash('{algorithm}').update(data).digest('hex') }};
        const mac = crypto.createHmac('{algorithm}', 'k'.repeat(70));  // a key longer than the block
        event.request.headers['x-m'] = {{ value: mac.update(data).digest('hex') }};
        return event.request;
    }}
    """
    data = (b"ab" * size)[:size]
    got = dict(run_request(code, request()).headers)
    assert got["X-H"] == hashlib.new(algorithm, data).hexdigest()
    assert got["X-M"] == hmac.new(b"k" * 70, data, algorithm).hexdigest()


def test_runtime_1_has_byte_strings_and_no_buffer():
    code = """
    var crypto = require('crypto');
    function handler(event) {
        var raw = crypto.createHash('sha1').update('x').digest();
        event.request.headers['x-len'] = { value: String(raw.length) + ' ' + typeof Buffer + ' ' + typeof atob };
        event.request.headers['x-utf8'] = { value: '\\u00e9'.toUTF8().length + '' };
        return event.request;
    }
    """
    got = dict(run_request(code, request(), runtime="cloudfront-js-1.0").headers)
    assert got["X-Len"] == "20 undefined undefined"
    assert got["X-Utf8"] == "2"


def test_key_value_store_reads():
    code = """
    import cf from 'cloudfront';
    const kvs = cf.kvs();
    async function handler(event) {
        const target = await kvs.get('redirect-' + event.request.uri.slice(1));
        const config = await kvs.get('config', { format: 'json' });
        let missing = 'no error';
        try { await kvs.get('nope'); } catch (err) { missing = 'error'; }
        const count = (await kvs.meta()).keyCount;
        return {
            statusCode: 301,
            headers: {
                location: { value: target },
                'x-info': { value: `${config.mode} ${await kvs.exists('config')} ${missing} ${count}` },
            },
        };
    }
    """
    kvs = {"redirect-old": "/new", "config": '{"mode": "on"}'}
    result = run_request(code, request("/old"), kvs=kvs)
    assert result.status == 301
    assert result.headers == [("Location", "/new"), ("X-Info", "on true error 2")]


def test_state_does_not_leak_between_calls():
    code = """
    var count = 0;
    function handler(event) {
        count += 1;
        globalThis.seen = (globalThis.seen || 0) + 1;
        Array.prototype.polluted = true;
        event.request.headers['x-count'] = { value: `${count} ${globalThis.seen} ${typeof [].polluted}` };
        return event.request;
    }
    """
    fn = CloudFrontFunction(code, name="stateful")
    event = viewer_request_event(request(), **IDS)
    for _ in range(3):
        assert fn.viewer_request(event)["headers"]["x-count"] == {"value": "1 1 boolean"}


def test_calls_from_many_threads_stay_separate():
    code = "function handler(e) { var r = e.request; r.headers['x-uri'] = { value: r.uri.toUpperCase() }; return r; }"
    fn = CloudFrontFunction(code, name="threads")

    def call(n: int) -> bool:
        req = request(f"/p{n}")
        return (
            dict(apply_request(fn.viewer_request(viewer_request_event(req, **IDS)), req).headers)["X-Uri"] == f"/P{n}"
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(pool.map(call, range(200)))


def test_date_is_frozen_at_the_start_of_the_run():
    code = """
    function handler(event) {
        const first = Date.now();
        for (let i = 0; i < 200000; i++) {}
        event.request.headers['x-same'] = { value: String(first === new Date().getTime() && first === Date.now()) };
        return event.request;
    }
    """
    assert dict(run_request(code, request()).headers)["X-Same"] == "true"


def test_console_log_reaches_the_log_sink_truncated_at_10_kb():
    lines = []
    code = "function handler(e) { console.log('hello', {a: 1}); console.log('x'.repeat(20000)); return e.request; }"
    fn = CloudFrontFunction(code, name="logger", on_log=lambda name, line: lines.append((name, line)))
    fn.viewer_request(viewer_request_event(request(), **IDS))
    assert lines[0] == ("logger", 'hello {"a":1}')
    assert sum(len(line) for _, line in lines[:2]) == 10 * 1024
    assert lines[-1] == ("logger", "(logs truncated at 10240 bytes)")


def test_every_import_form_of_the_builtin_modules_works_and_keeps_line_numbers():
    code = """import crypto from 'crypto';
import * as qs from "querystring";
import { Buffer as B } from 'buffer';
import cf, {
    kvs
} from 'cloudfront';
function handler(event) {
    const kinds = [typeof crypto.createHash, typeof qs.parse, typeof B.from, typeof cf.kvs, typeof kvs];
    event.request.headers['x-kinds'] = { value: kinds.join() };
    if (event.request.uri === '/throw') throw new Error('line 10');
    return event.request;
}
"""
    got = dict(run_request(code, request()).headers)
    assert got["X-Kinds"] == "function,function,function,function,function"
    with pytest.raises(FunctionError, match=r"<input>:10:"):
        run_request(code, request("/throw"))


def test_a_string_querystring_and_changed_response_cookies_go_back_as_written():
    code = "function handler(e) { e.request.querystring = 'a=1&b'; return e.request; }"
    assert run_request(code, request("/", "x=9")).querystring == "a=1&b"
    code = "function handler(e) { var r = e.response; r.cookies.n = { value: '2', attributes: 'Secure' }; return r; }"
    resp = EdgeResponse(200, [("Set-Cookie", "o=1; Path=/")])
    fn = CloudFrontFunction(code, name="cookies")
    result = apply_response(fn.viewer_response(viewer_response_event(request(), resp, **IDS)), resp)
    assert result.headers == [("Set-Cookie", "o=1; Path=/"), ("Set-Cookie", "n=2; Secure")]
