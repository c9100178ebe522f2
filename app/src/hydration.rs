//! The script that turns the server-rendered page into the live app.
//!
//! Leptos' own `HydrationScripts` asks for the WebAssembly in the page's
//! head (a preload), so on a fast link it arrives before the first paint and
//! on a slow one it competes with the page for the same bandwidth: a phone's
//! first paint waited for half a megabyte it does not need to show the page
//! (Lighthouse's largest contentful paint went from 1.0 to 3.9 s). Here the
//! page paints from its HTML and CSS alone; once it has loaded and the
//! browser is idle, the script fetches the module and the WebAssembly and
//! hydrates. Nothing is rendered differently after that: hydration attaches
//! to the same markup.

use leptos::prelude::*;
use std::sync::OnceLock;

/// The file names of the module and the WebAssembly in the site's package
/// folder, as cargo-leptos wrote them: with the content hashes of
/// `hash.txt` when `hash-files` is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetNames {
    pub module: String,
    pub wasm: String,
    pub stylesheet: String,
}

impl AssetNames {
    /// The names for `output_name`, given the content of `hash.txt` (lines
    /// `js: <hash>`, `wasm: <hash>`, `css: <hash>`) when files are hashed.
    /// `plain_wasm_suffix` is what wasm-bindgen appends to an unhashed
    /// WebAssembly name when cargo-leptos did not name the output (`_bg`).
    pub fn new(output_name: &str, hashes: Option<&str>, plain_wasm_suffix: &str) -> Self {
        let hash_of = |kind: &str| {
            hashes?.lines().find_map(|line| {
                let (file, hash) = line.split_once(':')?;
                (file.trim() == kind).then(|| hash.trim().to_owned())
            })
        };
        let stylesheet = match hash_of("css") {
            Some(css) => format!("{output_name}.{css}.css"),
            None => format!("{output_name}.css"),
        };
        match (hash_of("js"), hash_of("wasm")) {
            (Some(js), Some(wasm)) => Self {
                module: format!("{output_name}.{js}.js"),
                wasm: format!("{output_name}.{wasm}.wasm"),
                stylesheet,
            },
            _ => Self {
                module: format!("{output_name}.js"),
                wasm: format!("{output_name}{plain_wasm_suffix}.wasm"),
                stylesheet,
            },
        }
    }

    /// The names this server serves: read once from `hash.txt` beside the
    /// binary (where cargo-leptos writes it) when `options.hash_files` is on.
    pub fn of_site(options: &LeptosOptions) -> Self {
        static HASHED: OnceLock<AssetNames> = OnceLock::new();
        let plain_suffix = if option_env!("LEPTOS_OUTPUT_NAME").is_some() {
            ""
        } else {
            "_bg"
        };
        if !options.hash_files {
            return Self::new(&options.output_name, None, plain_suffix);
        }
        HASHED
            .get_or_init(|| {
                let hashes = std::env::current_exe()
                    .ok()
                    .and_then(|exe| exe.parent().map(|dir| dir.join(options.hash_file.as_ref())))
                    .and_then(|path| std::fs::read_to_string(path).ok());
                if hashes.is_none() {
                    leptos::logging::error!("hash-files is on but hash.txt is not beside the server binary");
                }
                Self::new(&options.output_name, hashes.as_deref(), plain_suffix)
            })
            .clone()
    }
}

/// The script that hydrates the page after it has loaded, when the browser
/// is idle (within two seconds whatever happens), in a task of its own.
pub fn script(pkg_dir: &str, names: &AssetNames) -> String {
    let module = format!("/{pkg_dir}/{}", names.module);
    let wasm = format!("/{pkg_dir}/{}", names.wasm);
    // Between instantiating the module and hydrating, the browser gets its
    // main thread back (a new task): input is not held up for both at once.
    format!(
        "addEventListener(\"load\",()=>{{const go=()=>import({module:?})\
         .then(m=>m.default({{module_or_path:{wasm:?}}}).then(()=>setTimeout(()=>m.hydrate())));\
         \"requestIdleCallback\"in window?requestIdleCallback(go,{{timeout:2000}}):setTimeout(go)}})"
    )
}

/// The page's stylesheet, by its name in `hash.txt`, read once with the
/// script's names (leptos_meta's `HashedStylesheet` reads the file for
/// every page).
#[component]
pub fn Stylesheet(options: LeptosOptions) -> impl IntoView {
    let href = format!(
        "/{}/{}",
        options.site_pkg_dir,
        AssetNames::of_site(&options).stylesheet
    );
    view! { <link rel="stylesheet" id="leptos" href=href /> }
}

/// The hydration script of the page, with the page's nonce.
#[component]
pub fn IdleHydration(options: LeptosOptions) -> impl IntoView {
    let names = AssetNames::of_site(&options);
    let nonce = leptos::nonce::use_nonce();
    view! { <script type="module" nonce=nonce>{script(&options.site_pkg_dir, &names)}</script> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_come_from_hash_txt() {
        let names = AssetNames::new("portal", Some("js: Xf3\nwasm: a2V_V\ncss: kKT7\n"), "");
        assert_eq!(names.module, "portal.Xf3.js");
        assert_eq!(names.wasm, "portal.a2V_V.wasm");
        assert_eq!(names.stylesheet, "portal.kKT7.css");
    }

    #[test]
    fn plain_names_without_hashes() {
        assert_eq!(
            AssetNames::new("portal", None, ""),
            AssetNames {
                module: "portal.js".into(),
                wasm: "portal.wasm".into(),
                stylesheet: "portal.css".into()
            }
        );
        assert_eq!(
            AssetNames::new("portal", Some("css: kKT7\n"), "_bg").wasm,
            "portal_bg.wasm"
        );
    }

    #[test]
    fn the_script_waits_for_load_and_names_both_files() {
        let names = AssetNames::new("portal", Some("js: J\nwasm: W\n"), "");
        let script = script("pkg", &names);
        assert!(script.starts_with("addEventListener(\"load\""), "{script}");
        assert!(script.contains("import(\"/pkg/portal.J.js\")"), "{script}");
        assert!(
            script.contains("module_or_path:\"/pkg/portal.W.wasm\""),
            "{script}"
        );
        assert!(!script.contains("preload"));
    }
}
