"""The lab's fixed pool of DKIM RSA public keys, as ``keys.generate_rsa_public_b64`` makes them.

Kept as constants because deterministic key generation in pure Python takes seconds; a test
checks that the generator still gives the first of them.
"""

__all__ = ["RSA_POOL"]

#: ``(bits, "pool-N")`` -> base64 SubjectPublicKeyInfo
RSA_POOL: dict[tuple[int, str], str] = {
    (1024, "pool-0"): (
        "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCln2N1APQw793z3QOuFOpIFS04CDeT4vdWebMiXycc"
        "0kRezZsg+0VuwGLsMRdU5xtp90map0W4M14XZjFQYnsCW8b6mPuC6FyHcKRS4EsgTJA2W7joYh32RvzO"
        "RvOgE4vUinSxKuTchUWRZe4w4eqEi77TvGU9b6KojsO198GCXQIDAQAB"
    ),
    (1024, "pool-1"): (
        "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC2/UazRU9I4/Aj0YEzcWqbnDn2d59XH7sAkmKd6dTP"
        "f5lRZdRFcpcP/wGmVJi9Qu3C4XNL69loRIHhsKls4rXrX8xQm2KU9iEWMEZBdGk0X5YcXEFptPAx4f/P"
        "oWkFkB08yWLTNGOtb7JkmN1/4lP1k6kf5GwFSvARlGFYWNdc6QIDAQAB"
    ),
    (2048, "pool-0"): (
        "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAnQrMnJw4btrmysjtKEybTxDHvstVLoUrdES7"
        "yc7wfRzVFd3Hv9JHLIROB/B2X/FAVskLy/aUCY86f2ESii5XKcbwI6gorQQCAud0DvlobmKjk7a4AyuE"
        "mGSIsldruLBTayEid1WenKKWv/Y7URNrcl02II+/b9e044droNy+sRdFHECtl1XxzR3yS3wv7QP/Jbg7"
        "miAxiEwGXiva1yyBOV1F/mu96MNbr/2uMFP18ZrWvwUuFb7SfdB68liSLun91q7qK8d2cSgmePkOi6ev"
        "yQusxsDkONiTkxnionrn1SQi2EmhO46twXxcj3UmoW7pZ3fDi5xR2J3jJFhZ5uDbEwIDAQAB"
    ),
    (2048, "pool-1"): (
        "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA008BbMdoTicBI9p34gpyK5XWDI/BmNv6lsS1"
        "nf1SkVw5GK1H5qQ8pkW6JUsglTTH5YuWp3MjpwNXHaCHh310d9uujTwEGntBAddGvV1OyVmCM7QVxbNz"
        "hAEVr943MjZ/lUBSKOsn8vtVNwVWKIHXkMcEDbljb/OaJisTUsENvZ+/eL6erMtNoW7PF34s4Q7JZszR"
        "n+a1zOrGQCC00CRUPg7qWY1cEms9JYUSVFqSMliVapmG1UICwzXo/qP5ZIAvrHjp48RQVjWX+ksMtnCV"
        "gffVk67A+xS0ZYKHPc0W/Pw6N6OQaH4gPjXWMJFfgZ5ajJb76dHTcd2845IFyBf55QIDAQAB"
    ),
}
