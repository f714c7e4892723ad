"""Billing: plans and their limits, each company's subscription and usage, Stripe Checkout, the
Customer Portal, Stripe's webhooks and dunning."""
