// A small typed client of the balcao API, written against the types openapi-typescript
// generates from openapi/openapi.json: if the spec drifts from what a frontend relies on,
// `tsc --noEmit` fails.
import createClient from "openapi-fetch";

import type { components, paths } from "./schema.js";

export type Product = components["schemas"]["Product"];
export type Cart = components["schemas"]["Cart"];
export type Order = components["schemas"]["Order"];
export type CheckoutCustomer = components["schemas"]["CheckoutCustomer"];
export type CheckoutAddress = components["schemas"]["CheckoutAddress"];

/** A client for `baseUrl`, authenticated with a session token or store API key when given. */
export function connect(baseUrl: string, token?: string) {
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  return createClient<paths>({ baseUrl, headers });
}

export type Client = ReturnType<typeof connect>;

/** Thrown when the API answers a problem document instead of the expected body. */
export class ApiError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly problem: unknown,
  ) {
    super(`${operation}: HTTP ${status} ${JSON.stringify(problem)}`);
  }
}

function must<T>(operation: string, result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined) {
    throw new ApiError(operation, result.response.status, result.error);
  }
  return result.data;
}

/** Every product of a store (staff view), following `next_cursor` to the end. */
export async function listProducts(client: Client, storeId: string): Promise<Product[]> {
  const products: Product[] = [];
  let cursor: string | undefined;
  do {
    const page = must(
      "list_products",
      await client.GET("/v1/stores/{store_id}/products", {
        params: { path: { store_id: storeId }, query: { limit: 100, cursor } },
      }),
    );
    products.push(...page.data);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return products;
}

/** What a shopper needs to check out. */
export interface Purchase {
  slug: string;
  variantId: string;
  quantity: number;
  customer: CheckoutCustomer;
  address: CheckoutAddress;
  idempotencyKey: string;
}

/** Buys one variant on the storefront: creates a cart, adds the item, quotes shipping and checks out. */
export async function buyOne(client: Client, p: Purchase): Promise<{ cart: Cart; order: Order }> {
  const slug = { slug: p.slug };
  const created = must(
    "create_cart",
    await client.POST("/v1/storefront/{slug}/carts", {
      params: { path: slug },
      body: { email: p.customer.email },
    }),
  );
  const cartPath = { ...slug, cart_id: created.id };
  const cart = must(
    "add_item",
    await client.POST("/v1/storefront/{slug}/carts/{cart_id}/items", {
      params: { path: cartPath },
      body: { variant_id: p.variantId, quantity: p.quantity },
    }),
  );
  const quote = must(
    "shipping_quote",
    await client.GET("/v1/storefront/{slug}/shipping-quote", {
      params: { path: slug, query: { cep: p.address.cep, subtotal: cart.subtotal.amount } },
    }),
  );
  const method = quote.options[0];
  if (!method) {
    throw new Error(`no delivery option for CEP ${p.address.cep}`);
  }
  const order = must(
    "checkout",
    await client.POST("/v1/storefront/{slug}/carts/{cart_id}/checkout", {
      params: { path: cartPath, header: { "Idempotency-Key": p.idempotencyKey } },
      body: {
        customer: p.customer,
        delivery_method_id: method.method_id,
        shipping_address: method.kind === "pickup" ? null : p.address,
      },
    }),
  );
  return { cart, order };
}
