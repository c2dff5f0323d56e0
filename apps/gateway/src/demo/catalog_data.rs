//! The demo catalog: a shop of Brazilian clothes, shoes, accessories, homeware and coffee.

/// A category: slug, name, parent slug, description.
pub type CategorySeed = (&'static str, &'static str, Option<&'static str>, &'static str);

/// The categories, parents first.
pub const CATEGORIES: &[CategorySeed] = &[
    ("roupas", "Roupas", None, "Peças de algodão, linho e chita feitas no Brasil."),
    ("camisetas", "Camisetas", Some("roupas"), "Básicas, estampadas e polos."),
    ("calcas-e-bermudas", "Calças e bermudas", Some("roupas"), "Jeans, sarja e linho."),
    ("calcados", "Calçados", None, "Sandálias, tênis, chinelos e alpargatas."),
    ("acessorios", "Acessórios", None, "Bolsas, óculos, chapéus e bijuterias."),
    ("casa", "Casa e decoração", None, "Redes, almofadas, cerâmica e mantas."),
    ("cafe", "Café e cozinha", None, "Cafés especiais e utensílios para o coado."),
];

/// A product option: name and values.
pub type OptionSeed = (&'static str, &'static [&'static str]);

/// A product of the demo catalog; one variant per combination of option values.
pub struct ProductSeed {
    /// Title.
    pub title: &'static str,
    /// Slug (the key a later run finds it by).
    pub slug: &'static str,
    /// Category slug.
    pub category: &'static str,
    /// Description.
    pub description: &'static str,
    /// Tags.
    pub tags: &'static [&'static str],
    /// Options (none: one variant).
    pub options: &'static [OptionSeed],
    /// Price in centavos.
    pub price: i64,
    /// Struck-through price in centavos.
    pub compare_at: Option<i64>,
    /// Units on hand per variant (at or below [`LOW_STOCK`] is low stock).
    pub stock: i32,
    /// Shipping weight in grams.
    pub weight: i32,
    /// On sale (false: a draft being prepared).
    pub active: bool,
}

/// Every variant's low-stock threshold.
pub const LOW_STOCK: i32 = 5;

const ADULT: OptionSeed = ("Tamanho", &["P", "M", "G"]);
const JEANS: OptionSeed = ("Tamanho", &["38", "40", "42", "44"]);
const GRIND: OptionSeed = ("Moagem", &["Grãos", "Moído"]);

const fn product(
    (title, slug): (&'static str, &'static str),
    category: &'static str,
    description: &'static str,
    tags: &'static [&'static str],
    options: &'static [OptionSeed],
    (price, compare_at): (i64, Option<i64>),
    (stock, weight): (i32, i32),
) -> ProductSeed {
    ProductSeed { title, slug, category, description, tags, options, price, compare_at, stock, weight, active: true }
}

/// The 30 products.
#[rustfmt::skip]
pub const PRODUCTS: [ProductSeed; 30] = [
    product(("Camiseta Básica de Algodão", "camiseta-basica-algodao"), "camisetas", "Malha 100% algodão penteado, modelagem reta.", &["basico", "algodao"], &[("Tamanho", &["P", "M", "G", "GG"]), ("Cor", &["Branco", "Preto"])], (5990, None), (30, 180)),
    product(("Camiseta Estampada Ipê Amarelo", "camiseta-ipe-amarelo"), "camisetas", "Estampa exclusiva de ipê amarelo em serigrafia à base d'água.", &["estampada", "novidade"], &[ADULT], (6990, Some(7990)), (25, 180)),
    product(("Camiseta Gola V de Linho", "camiseta-gola-v-linho"), "camisetas", "Linho leve para os dias quentes.", &["linho"], &[ADULT, ("Cor", &["Bege", "Verde"])], (8990, None), (20, 160)),
    product(("Regata Copacabana", "regata-copacabana"), "camisetas", "Regata de algodão com estampa do calçadão.", &["praia", "verao"], &[ADULT], (4990, None), (25, 140)),
    product(("Camiseta Infantil Tucano", "camiseta-infantil-tucano"), "camisetas", "Estampa de tucano para os pequenos.", &["infantil"], &[("Tamanho", &["4 anos", "6 anos", "8 anos"])], (3990, None), (20, 100)),
    product(("Camisa Polo Piquet", "camisa-polo-piquet"), "camisetas", "Piquet de algodão com botões de coco.", &["polo"], &[("Tamanho", &["P", "M", "G", "GG"])], (10990, None), (3, 220)),
    product(("Bermuda de Sarja", "bermuda-sarja"), "calcas-e-bermudas", "Sarja com elastano, bolsos faca.", &["sarja", "verao"], &[JEANS], (11990, None), (20, 350)),
    product(("Calça Jeans Reta", "calca-jeans-reta"), "calcas-e-bermudas", "Jeans de algodão orgânico, lavagem média.", &["jeans"], &[JEANS], (18990, Some(21990)), (20, 600)),
    product(("Calça Pantalona de Linho", "calca-pantalona-linho"), "calcas-e-bermudas", "Cintura alta com amarração, linho natural.", &["linho"], &[ADULT], (16990, None), (15, 400)),
    product(("Short Saia Floral", "short-saia-floral"), "calcas-e-bermudas", "Viscose estampada com forro.", &["floral", "verao"], &[ADULT], (7990, None), (20, 200)),
    product(("Vestido Midi de Chita", "vestido-midi-chita"), "roupas", "A chita nordestina em um vestido de alça.", &["chita", "novidade"], &[ADULT], (19990, None), (15, 350)),
    product(("Kimono Estampa Tropical", "kimono-tropical"), "roupas", "Tamanho único, viscose fluida.", &["tropical"], &[], (14990, Some(16990)), (12, 300)),
    product(("Sandália de Couro Artesanal", "sandalia-couro-artesanal"), "calcados", "Couro curtido ao vegetal, feita em Nova Serrana.", &["couro", "artesanal"], &[("Número", &["35", "36", "37", "38", "39"])], (12990, None), (12, 450)),
    product(("Tênis de Lona Branco", "tenis-lona-branco"), "calcados", "Lona de algodão e sola de borracha natural.", &["tenis"], &[("Número", &["37", "38", "39", "40", "41", "42"])], (14990, None), (12, 800)),
    product(("Chinelo Listrado", "chinelo-listrado"), "calcados", "Borracha macia com tiras listradas.", &["praia"], &[("Número", &["35/36", "37/38", "39/40", "41/42"])], (2990, None), (40, 250)),
    product(("Alpargata de Juta", "alpargata-juta"), "calcados", "Solado de juta trançada à mão.", &["artesanal"], &[("Número", &["36", "37", "38", "39", "40"])], (8990, None), (2, 400)),
    product(("Bolsa de Palha Trançada", "bolsa-palha-trancada"), "acessorios", "Palha de buriti trançada por artesãs do Jalapão.", &["artesanal", "praia"], &[], (13990, None), (10, 500)),
    product(("Ecobag de Algodão Cru", "ecobag-algodao-cru"), "acessorios", "Para a feira e para a praia.", &["sustentavel"], &[], (2990, None), (50, 120)),
    product(("Óculos de Sol Retrô", "oculos-sol-retro"), "acessorios", "Proteção UV400, armação de acetato.", &["verao"], &[("Cor", &["Tartaruga", "Preto"])], (9990, None), (15, 80)),
    product(("Chapéu Panamá", "chapeu-panama"), "acessorios", "Palha toquilla com faixa de gorgurão.", &["verao"], &[("Tamanho", &["56", "58"])], (11990, None), (10, 150)),
    product(("Brinco de Capim Dourado", "brinco-capim-dourado"), "acessorios", "Capim dourado do Jalapão com fecho de prata.", &["artesanal", "presente"], &[], (8990, None), (0, 30)),
    product(("Carteira de Couro", "carteira-couro"), "acessorios", "Couro legítimo, seis divisórias.", &["couro", "presente"], &[("Cor", &["Marrom", "Preto"])], (7990, None), (20, 100)),
    product(("Rede de Descanso Nordestina", "rede-descanso-nordestina"), "casa", "Algodão tecido em tear manual em São Bento (PB).", &["artesanal", "casa"], &[("Cor", &["Colorida", "Cru"])], (24990, Some(27990)), (8, 1800)),
    product(("Almofada de Linho 45x45", "almofada-linho-45"), "casa", "Capa de linho com zíper e enchimento de fibra.", &["casa"], &[("Cor", &["Terracota", "Verde", "Areia"])], (6990, None), (15, 400)),
    product(("Vaso de Cerâmica Artesanal", "vaso-ceramica-artesanal"), "casa", "Cerâmica do Vale do Jequitinhonha.", &["artesanal", "presente"], &[("Tamanho", &["P", "M"])], (8990, None), (10, 900)),
    product(("Manta de Tricô", "manta-trico"), "casa", "Tricô de algodão para o sofá, 1,20 m x 1,60 m.", &["casa", "inverno"], &[], (15990, None), (4, 1200)),
    product(("Café Especial Torra Média 250 g", "cafe-torra-media-250g"), "cafe", "Catuaí amarelo do Sul de Minas; notas de chocolate e caramelo.", &["cafe", "mais-vendido"], &[GRIND], (3990, None), (40, 260)),
    product(("Café Especial Torra Clara 250 g", "cafe-torra-clara-250g"), "cafe", "Microlote da Mantiqueira; notas florais e cítricas.", &["cafe"], &[GRIND], (4490, None), (30, 260)),
    product(("Coador de Pano com Suporte", "coador-pano-suporte"), "cafe", "Suporte de madeira e coador de flanela nº 3.", &["cafe", "presente"], &[], (5990, None), (15, 450)),
    ProductSeed {
        active: false,
        ..product(("Caneca de Ágata 350 ml", "caneca-agata-350ml"), "cafe", "Ágata esmaltada; chega em breve.", &["cafe"], &[("Cor", &["Azul", "Branca", "Vermelha"])], (4990, None), (0, 300))
    },
];
