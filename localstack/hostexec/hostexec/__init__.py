"""LocalStack Lambda runtime executor that runs Python handlers as host processes.

Select it with ``LAMBDA_RUNTIME_EXECUTOR=hostexec`` in LocalStack's environment.
"""
