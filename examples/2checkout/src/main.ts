import { createSignedAxios } from '@signet/axios';
import { generateTwoCheckoutSignature } from '@signet/axios/providers/2checkout';
import { twoCheckoutSigner } from '@signet/core';
import { startTwoCheckoutStandIn } from './stand-in.js';

// In production: your merchant code and Buy-link Secret Word, and baseURL https://secure.2checkout.com.
const merchantCode = 'MERCH_CODE';
const secretWord = 'demo-buy-link-secret-word';

const api = await startTwoCheckoutStandIn(merchantCode, secretWord);
const twoCheckout = createSignedAxios(twoCheckoutSigner({ merchantCode, secretWord }), { baseURL: api.origin });
try {
  const { signature } = await generateTwoCheckoutSignature(twoCheckout, {
    merchant: merchantCode,
    'return-url': 'https://shop.example.com/thanks',
    'return-type': 'redirect',
    prod: 'Pro plan',
    price: 49,
    currency: 'USD',
    qty: 1,
    type: 'digital',
  });
  console.log(`2Checkout POST /checkout/api/encrypt/generate/signature   200  signature=${signature.slice(0, 16)}…`);
} finally {
  api.close();
}
