//! Customers with valid CPFs, phones and addresses in several CEP ranges, and their consents.

use std::collections::HashMap;

use balcao_core::{Error, Result};
use balcao_stores::br::cpf_from_base;
use balcao_stores::customers::{
    ConsentChannel, ConsentPurpose, CreateCustomer, Customer, CustomerFilter, NewAddress, RecordConsent,
};

use super::{Demo, all};

/// An address: CEP, street, number, neighbourhood, city, state.
pub type AddressSeed = (&'static str, &'static str, &'static str, &'static str, &'static str, &'static str);

/// A customer: name, email, phone, the first nine CPF digits, tags, home address.
pub type CustomerSeed = (&'static str, &'static str, &'static str, &'static str, &'static [&'static str], AddressSeed);

/// The customers, in several regions (so several delivery zones serve them).
#[rustfmt::skip]
pub const CUSTOMERS: [CustomerSeed; 12] = [
    ("Mariana Souza", "mariana.souza@example.com", "(11) 98765-4321", "529982247", &["vip"], ("05422-030", "Rua dos Pinheiros", "870", "Pinheiros", "São Paulo", "SP")),
    ("João Pereira", "joao.pereira@example.com", "(11) 99123-4567", "318274659", &[], ("01310-100", "Avenida Paulista", "1578", "Bela Vista", "São Paulo", "SP")),
    ("Ana Beatriz Lima", "ana.lima@example.com", "(19) 99876-1234", "406183527", &["atacado"], ("13015-904", "Rua Barão de Jaguara", "1000", "Centro", "Campinas", "SP")),
    ("Carlos Eduardo Santos", "carlos.santos@example.com", "(21) 98888-7766", "254781390", &[], ("22071-100", "Avenida Atlântica", "1702", "Copacabana", "Rio de Janeiro", "RJ")),
    ("Fernanda Oliveira", "fernanda.oliveira@example.com", "(31) 99654-3210", "173928465", &["vip"], ("30130-010", "Avenida Afonso Pena", "1500", "Centro", "Belo Horizonte", "MG")),
    ("Rafael Costa", "rafael.costa@example.com", "(41) 99812-3456", "641205837", &[], ("80010-000", "Rua XV de Novembro", "700", "Centro", "Curitiba", "PR")),
    ("Juliana Almeida", "juliana.almeida@example.com", "(51) 99745-6789", "702846153", &[], ("90010-150", "Rua dos Andradas", "1234", "Centro Histórico", "Porto Alegre", "RS")),
    ("Pedro Henrique Rocha", "pedro.rocha@example.com", "(71) 99234-5678", "385610274", &["atacado"], ("40020-000", "Avenida Sete de Setembro", "300", "Centro", "Salvador", "BA")),
    ("Luciana Ferreira", "luciana.ferreira@example.com", "(81) 99456-7890", "820374619", &[], ("50030-230", "Rua da Aurora", "295", "Boa Vista", "Recife", "PE")),
    ("Gabriel Martins", "gabriel.martins@example.com", "(85) 99678-9012", "963150284", &[], ("60165-121", "Avenida Beira Mar", "2500", "Meireles", "Fortaleza", "CE")),
    ("Camila Ribeiro", "camila.ribeiro@example.com", "(11) 97654-3210", "147258369", &["vip"], ("05433-000", "Rua Fradique Coutinho", "1100", "Vila Madalena", "São Paulo", "SP")),
    ("Lucas Gomes", "lucas.gomes@example.com", "(61) 99321-0987", "258369147", &[], ("70040-010", "SBS Quadra 2", "10", "Asa Sul", "Brasília", "DF")),
];

/// Creates the customers an earlier run did not (with their consents); returns all in order.
pub async fn seed(demo: &mut Demo) -> Result<Vec<Customer>> {
    let svc = &demo.state.stores.customers;
    let store = demo.store;
    let listed = all(async |page| {
        svc.list(store, CustomerFilter { limit: page.limit, cursor: page.cursor, ..Default::default() }).await
    })
    .await?;
    let mut existing: HashMap<String, Customer> =
        listed.into_iter().filter_map(|c| Some((c.email.clone()?, c))).collect();
    let mut customers = Vec::with_capacity(CUSTOMERS.len());
    for (index, &seed) in CUSTOMERS.iter().enumerate() {
        let customer = match existing.remove(seed.1) {
            Some(customer) => customer,
            None => {
                let customer = svc.create(store, new_customer(seed)?).await?;
                consent(demo, &customer, index).await?;
                customer
            }
        };
        customers.push(customer);
    }
    for customer in &customers {
        demo.record("customers", customer.id);
        for address in &customer.addresses {
            demo.record("addresses", address.id);
        }
    }
    Ok(customers)
}

fn new_customer((name, email, phone, cpf_base, tags, home): CustomerSeed) -> Result<CreateCustomer> {
    let cpf = cpf_from_base(cpf_base).map_err(|e| Error::internal(format!("demo CPF {cpf_base}: {e}")))?;
    let mut addresses = vec![address("Casa", name, home, true)];
    if tags.contains(&"atacado") {
        // Wholesale buyers also receive at work, in the same city.
        let (cep, _, _, neighborhood, city, state) = home;
        addresses.push(address("Trabalho", name, (cep, "Rua do Comércio", "45", neighborhood, city, state), false));
    }
    Ok(CreateCustomer {
        name: name.into(),
        email: Some(email.into()),
        phone: Some(phone.into()),
        document: Some(cpf.formatted()),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        notes: None,
        addresses,
    })
}

/// An address for `recipient`.
pub fn address(label: &str, recipient: &str, seed: AddressSeed, is_default: bool) -> NewAddress {
    let (cep, street, number, neighborhood, city, state) = seed;
    NewAddress {
        label: Some(label.into()),
        recipient: recipient.into(),
        cep: cep.into(),
        street: street.into(),
        number: number.into(),
        complement: None,
        neighborhood: neighborhood.into(),
        city: city.into(),
        state: state.into(),
        is_default,
    }
}

/// Two in three customers opt in to WhatsApp marketing; every one to transactional email.
async fn consent(demo: &Demo, customer: &Customer, index: usize) -> Result<()> {
    let svc = &demo.state.stores.consents;
    let choices = [
        (ConsentChannel::Email, ConsentPurpose::Transactional, true),
        (ConsentChannel::Whatsapp, ConsentPurpose::Marketing, index % 3 != 2),
    ];
    for (channel, purpose, granted) in choices {
        let req = RecordConsent {
            channel,
            purpose,
            granted,
            source: "checkout form".into(),
            text_version: Some("2026-01".into()),
        };
        svc.record(demo.store, customer.id, Some(demo.user), req).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_cpf_is_valid_and_distinct() {
        let cpfs: std::collections::HashSet<String> =
            CUSTOMERS.iter().map(|c| cpf_from_base(c.3).map(|d| d.value).unwrap()).collect();
        assert_eq!(cpfs.len(), CUSTOMERS.len());
        for cpf in &cpfs {
            assert!(balcao_stores::br::parse_document(cpf).is_ok(), "{cpf}");
        }
    }
}
