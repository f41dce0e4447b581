//! The wasm bindings under wasm-bindgen-test, in Node and in headless Chromium (the same test
//! binary; `scripts/test.sh` runs it twice, the second time with `WASM_BINDGEN_USE_BROWSER=1`).
//! It runs the release vectors (`tests/fixtures/vectors/releases.json`) through the JS-facing
//! functions and checks the JS edge: wrong types, unknown keys, lifecycle errors.
#![cfg(target_arch = "wasm32")]

use base64::Engine;
use js_sys::{Array, Object, Reflect, Uint8Array};
use otaseal::wasm;
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

const VECTORS: &str = include_str!("fixtures/vectors/releases.json");
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).expect("property")
}

/// The `.code` of a thrown `OtaError`, checking its shape.
fn code(err: JsValue) -> String {
    assert!(err.is_instance_of::<js_sys::Error>(), "thrown value is not an Error: {err:?}");
    assert_eq!(get(&err, "name").as_string().as_deref(), Some("OtaError"));
    let message = get(&err, "message").as_string().expect("message");
    assert!(!message.is_empty(), "empty message");
    get(&err, "code").as_string().expect("code")
}

/// A serde_json value as a plain JS value (objects, arrays, strings, numbers, booleans, null).
fn to_js(v: &Value) -> JsValue {
    match v {
        Value::Null => JsValue::NULL,
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Number(n) => JsValue::from_f64(n.as_f64().expect("number")),
        Value::String(s) => JsValue::from_str(s),
        Value::Array(items) => items.iter().map(to_js).collect::<Array>().into(),
        Value::Object(map) => {
            let obj = Object::new();
            for (k, v) in map {
                Reflect::set(&obj, &JsValue::from_str(k), &to_js(v)).expect("set");
            }
            obj.into()
        }
    }
}

fn bytes(b64: &str) -> Uint8Array {
    Uint8Array::from(B64.decode(b64).expect("base64").as_slice())
}

/// Runs one vector through `Opener`; the result has the shape of the vector's `expect`.
fn run(case: &Value) -> Value {
    let keys: Array = case["bundleKeys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| JsValue::from(bytes(k.as_str().expect("key"))))
        .collect();
    let result = (|| {
        let mut opener = wasm::Opener::new(
            JsValue::from_str(case["envelope"].as_str().expect("envelope")),
            JsValue::from_str(case["trust"].as_str().expect("trust")),
            to_js(&case["policy"]),
            keys.into(),
            JsValue::UNDEFINED,
        )?;
        let bundle = bytes(case["bundle"].as_str().expect("bundle"));
        let chunk = case["chunk"].as_u64().expect("chunk") as u32;
        let mut at = 0;
        while at < bundle.length() {
            let end = (at + chunk).min(bundle.length());
            opener.push(bundle.subarray(at, end).into())?;
            at = end;
        }
        let progress = opener.progress();
        // Every pushed byte is counted (a truncated bundle is caught by `finish`).
        assert_eq!(get(&progress, "received").as_f64(), Some(f64::from(bundle.length())));
        let opened = opener.finish()?;
        Ok::<_, JsValue>(opened)
    })();
    match result {
        Ok(opened) => {
            let release = get(&opened, "release");
            let signed_by: Vec<Value> = Array::from(&get(&release, "signedBy"))
                .iter()
                .map(|k| Value::String(k.as_string().expect("keyid")))
                .collect();
            let files: Vec<Value> = Array::from(&get(&opened, "files"))
                .iter()
                .map(|f| {
                    let data: Uint8Array = get(&f, "data").dyn_into().expect("data");
                    assert_eq!(get(&f, "size").as_f64(), Some(f64::from(data.length())));
                    serde_json::json!({
                        "path": get(&f, "path").as_string().expect("path"),
                        "size": data.length(),
                        "sha256": get(&f, "sha256").as_string().expect("sha256"),
                    })
                })
                .collect();
            serde_json::json!({ "code": "OK", "signedBy": signed_by, "files": files })
        }
        Err(e) => serde_json::json!({ "code": code(e) }),
    }
}

#[wasm_bindgen_test]
fn vectors_give_the_declared_outcome() {
    let doc: Value = serde_json::from_str(VECTORS).expect("vectors json");
    let cases = doc["cases"].as_array().expect("cases");
    assert!(cases.len() >= 15);
    for case in cases {
        assert_eq!(run(case), case["expect"], "vector {}", case["name"]);
    }
}

#[wasm_bindgen_test]
fn verify_release_agrees_with_the_opener() {
    let doc: Value = serde_json::from_str(VECTORS).expect("vectors json");
    let case = &doc["cases"][0];
    let release = wasm::verify_release(
        JsValue::from_str(case["envelope"].as_str().expect("envelope")),
        JsValue::from_str(case["trust"].as_str().expect("trust")),
        to_js(&case["policy"]),
        JsValue::UNDEFINED,
    )
    .expect("valid release");
    let manifest = get(&release, "manifest");
    assert_eq!(get(&manifest, "version").as_string().as_deref(), Some("2.0.0"));
    assert_eq!(get(&manifest, "issuedAt").as_string().as_deref(), Some("2027-01-15T08:00:00Z"));
    assert_eq!(
        Array::from(&get(&manifest, "files")).length() as usize,
        case["expect"]["files"].as_array().expect("files").len()
    );
}

#[wasm_bindgen_test]
fn seal_then_open_with_generated_keys() {
    // Randomness comes from crypto.getRandomValues in Node and in the browser.
    let pair = wasm::keygen().expect("keygen");
    let private = get(&pair, "privateKeyPem");
    let public = get(&pair, "publicKeyPem");
    let trust =
        wasm::trust_init(Array::of1(&public).into(), JsValue::from_f64(1.0), JsValue::UNDEFINED).expect("trust");
    let bundle_key = wasm::bundle_key_generate().expect("bundle key");
    let key = get(&bundle_key, "key");
    let files = to_js(&serde_json::json!([{ "path": "index.html" }]));
    Reflect::set(&Array::from(&files).get(0), &"data".into(), &Uint8Array::from(&b"<h1>wasm</h1>"[..])).expect("set");
    let info = to_js(&serde_json::json!({ "app": "com.example.app", "channel": "production", "platforms": ["web"],
        "version": "1.0.0", "issuedAt": 1_800_000_000, "expiresAt": 1_800_086_400 }));
    let encryption = Object::new();
    Reflect::set(&encryption, &"key".into(), &key).expect("set");
    let sealed =
        wasm::seal(files, info, Array::of1(&private).into(), encryption.into(), JsValue::UNDEFINED).expect("seal");
    let policy = to_js(
        &serde_json::json!({ "app": "com.example.app", "channel": "production", "platform": "web", "now": 1_800_000_100 }),
    );
    let mut opener = wasm::Opener::new(
        get(&sealed, "envelopeJson"),
        JsValue::from_str(&trust),
        policy,
        Array::of1(&key).into(),
        JsValue::NULL,
    )
    .expect("opener");
    opener.push(get(&sealed, "bundle")).expect("push");
    let opened = opener.finish().expect("finish");
    let file = Array::from(&get(&opened, "files")).get(0);
    let data: Uint8Array = get(&file, "data").dyn_into().expect("data");
    assert_eq!(data.to_vec(), b"<h1>wasm</h1>");
    // Lifecycle: nothing after finish.
    assert_eq!(
        code(opener.push(Uint8Array::new_with_length(1).into()).expect_err("push after finish")),
        "INVALID_STATE"
    );
    assert_eq!(code(opener.finish().expect_err("finish twice")), "INVALID_STATE");
}

#[wasm_bindgen_test]
fn the_edge_refuses_wrong_types_and_unknown_keys() {
    let doc: Value = serde_json::from_str(VECTORS).expect("vectors json");
    let case = &doc["cases"][0];
    let env = || JsValue::from_str(case["envelope"].as_str().expect("envelope"));
    let trust = || JsValue::from_str(case["trust"].as_str().expect("trust"));
    let verify =
        |e: JsValue, t: JsValue, p: JsValue, l: JsValue| code(wasm::verify_release(e, t, p, l).expect_err("refused"));
    assert_eq!(verify(JsValue::from_f64(1.0), trust(), to_js(&case["policy"]), JsValue::UNDEFINED), "INVALID_ARGUMENT");
    assert_eq!(verify(env(), JsValue::NULL, to_js(&case["policy"]), JsValue::UNDEFINED), "INVALID_ARGUMENT");
    assert_eq!(verify(env(), trust(), JsValue::from_str("policy"), JsValue::UNDEFINED), "INVALID_ARGUMENT");
    // A misspelt key would silently drop the downgrade floor: refused.
    let mut misspelt = case["policy"].clone();
    misspelt["installVersion"] = "9.9.9".into();
    assert_eq!(verify(env(), trust(), to_js(&misspelt), JsValue::UNDEFINED), "INVALID_ARGUMENT");
    let mut fraction = case["policy"].clone();
    fraction["now"] = serde_json::json!(1.5);
    assert_eq!(verify(env(), trust(), to_js(&fraction), JsValue::UNDEFINED), "INVALID_ARGUMENT");
    let mut bad_semver = case["policy"].clone();
    bad_semver["installedVersion"] = "1.0".into();
    assert_eq!(verify(env(), trust(), to_js(&bad_semver), JsValue::UNDEFINED), "INVALID_ARGUMENT");
    // Limits apply: a 10-byte envelope cap refuses the envelope.
    let limits = to_js(&serde_json::json!({ "maxEnvelopeBytes": 10 }));
    assert_eq!(verify(env(), trust(), to_js(&case["policy"]), limits), "LIMIT_EXCEEDED");
    assert_eq!(
        verify(env(), trust(), to_js(&case["policy"]), to_js(&serde_json::json!({ "maxFoo": 1 }))),
        "INVALID_ARGUMENT"
    );
    // Keys: wrong length and wrong type.
    assert_eq!(
        code(wasm::bundle_key_id(Uint8Array::new_with_length(31).into()).expect_err("short key")),
        "KEY_MALFORMED"
    );
    assert_eq!(code(wasm::bundle_key_id(JsValue::from_str("key")).expect_err("string key")), "INVALID_ARGUMENT");
    assert_eq!(
        code(
            wasm::public_key_info_of(JsValue::from_str("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"))
                .expect_err("bad pem")
        ),
        "KEY_MALFORMED"
    );
    let opener = wasm::Opener::new(
        env(),
        trust(),
        to_js(&case["policy"]),
        JsValue::from_str("not an array"),
        JsValue::UNDEFINED,
    );
    assert_eq!(code(opener.err().expect("refused")), "INVALID_ARGUMENT");
    // Every code the module can throw is listed for JS callers.
    assert_eq!(Array::from(&wasm::error_codes()).length() as usize, otaseal::ALL_CODES.len());
}
