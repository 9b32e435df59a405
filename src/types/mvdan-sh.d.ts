/**
 * Types for the untyped `mvdan-sh` package (GopherJS build of mvdan.cc/sh/v3/syntax), only the
 * surface the shell normalizer uses. Parse results are GopherJS wrappers around Go values; the
 * normalizer reads the Go values behind them (see src/normalize/shell-ast.ts).
 */
declare module 'mvdan-sh' {
  namespace sh {
    /** A GopherJS full wrapper: the Go value is reachable through __internal_object__. */
    interface Wrapped {
      __internal_object__?: unknown
    }
    interface ParseError {
      Error(): string
      Text: string
      Incomplete: boolean
    }
    type ParserOption = (parser: unknown) => void
    interface Parser {
      Parse(src: string, name: string): Wrapped
    }
    interface Syntax {
      NewParser(...options: ParserOption[]): Parser
      Variant(lang: number): ParserOption
      KeepComments(keep: boolean): ParserOption
      LangBash: number
      LangPOSIX: number
      LangMirBSDKorn: number
    }
  }
  const sh: { syntax: sh.Syntax }
  export = sh
}
