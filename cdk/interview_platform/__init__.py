"""CDK constructs of the interview platform: a thin stack composing one construct per capability."""
