// HR's workspace: sign-up and login, company setup, templates, invitations and the review.
import { render } from "preact";
import { useContext, useEffect, useMemo, useState } from "preact/hooks";
import type { Schemas } from "../api/client";
import type { AppConfig } from "../config";
import { Alert, Page } from "../ui/components";
import { match, navigate, onLink, useLocation } from "../ui/router";
import { ConfirmEmail, ForgotPassword, Login, ResetPassword, SignUp, VerifyEmail } from "./auth";
import { HrContext, type Hr } from "./context";
import "./hr.css";
import { InvitationsPage } from "./invitations";
import { ReviewPage } from "./review";
import { currentSession, logout, onSessionChange, publicApi, sessionApi } from "./session";
import { CompanySetup } from "./setup";
import { TemplateBuilder, TemplateList } from "./templates";

export function mount(root: HTMLElement, config: AppConfig): void {
  render(<HrApp config={config} />, root);
}

const PUBLIC: Record<string, () => preact.JSX.Element> = {
  "/signup": () => <SignUp />,
  "/verify-email": () => <VerifyEmail />,
  "/confirm-email": () => <ConfirmEmail />,
  "/forgot-password": () => <ForgotPassword />,
  "/reset-password": () => <ResetPassword />,
};

function HrApp({ config }: { config: AppConfig }) {
  const { path, query } = useLocation();
  const [signedIn, setSignedIn] = useState(() => currentSession() !== null);
  const [me, setMe] = useState<Schemas["UserOut"] | null>(null);
  const [company, setCompany] = useState<Schemas["CompanyOut"] | null>(null);
  const [loaded, setLoaded] = useState(false);

  const hr = useMemo<Hr>(() => {
    const anon = publicApi(config.apiUrl);
    const api = sessionApi(config.apiUrl, () => navigate(`/login?next=${encodeURIComponent(location.pathname)}`, true));
    // One read at a time: the login page and the session listener both ask after a sign-in.
    let reading: Promise<Schemas["UserOut"] | null> | null = null;
    const reloadMe = (): Promise<Schemas["UserOut"] | null> => {
      reading ??= readMe().finally(() => {
        reading = null;
      });
      return reading;
    };
    const readMe = async (): Promise<Schemas["UserOut"] | null> => {
      const { data } = await api.GET("/v1/me");
      setMe(data ?? null);
      let org: Schemas["CompanyOut"] | null = null;
      if (data?.company_id) {
        const answer = await api.GET("/v1/companies/{company_id}", {
          params: { path: { company_id: data.company_id } },
        });
        org = answer.data ?? null;
      }
      setCompany(org);
      setLoaded(true);
      return data ?? null;
    };
    return { config, api, anon, me: null, company: null, reloadMe };
  }, [config]);

  useEffect(
    () =>
      onSessionChange((s) => {
        setSignedIn(s !== null);
        if (!s) {
          setMe(null);
          setCompany(null);
        }
      }),
    [],
  );
  useEffect(() => {
    if (signedIn && !me) void hr.reloadMe();
    else if (!signedIn) setLoaded(true);
  }, [signedIn]);

  const value = { ...hr, me, company };
  const publicPage = PUBLIC[path];
  let body: preact.JSX.Element;
  if (publicPage) body = publicPage();
  else if (path === "/login") body = <Login next={query.get("next") ?? undefined} />;
  else if (!signedIn) body = <Redirect to={`/login${path.startsWith("/hr") ? `?next=${encodeURIComponent(path)}` : ""}`} />;
  else if (!loaded || !me) body = <Page title="Loading…">{null}</Page>;
  else if (path === "/hr/setup") body = <CompanySetup />;
  else if (me.role !== "hr" || !me.company_id) body = <Redirect to="/hr/setup" />;
  else body = <SignedInRoutes path={path} />;

  return (
    <HrContext.Provider value={value}>
      <a class="skip" href="#main" onClick={(e) => skipToMain(e)}>
        Skip to content
      </a>
      <Header signedIn={signedIn} path={path} company={company} />
      <div id="main">{body}</div>
    </HrContext.Provider>
  );
}

function SignedInRoutes({ path }: { path: string }) {
  if (path === "/" || path === "/hr" || path === "/hr/") return <Redirect to="/hr/invitations" />;
  if (path === "/hr/templates") return <TemplateList />;
  let params = match("/hr/templates/:id", path);
  if (params) return <TemplateBuilder id={params.id ?? ""} />;
  if (path === "/hr/invitations") return <InvitationsPage />;
  params = match("/hr/invitations/:id", path);
  if (params) return <ReviewPage id={params.id ?? ""} />;
  return (
    <Page title="Page not found">
      <Alert kind="info">
        There is no page at this address.{" "}
        <a href="/hr/invitations" onClick={onLink}>
          Go to the invitations
        </a>
      </Alert>
    </Page>
  );
}

function Header(props: { signedIn: boolean; path: string; company: Schemas["CompanyOut"] | null }) {
  const hr = useContext(HrContext);
  const current = (prefix: string): "page" | undefined => (props.path.startsWith(prefix) ? "page" : undefined);
  return (
    <header class="topbar">
      <nav aria-label="Main">
        <a class="brand" href={props.signedIn ? "/hr/invitations" : "/login"} onClick={onLink}>
          Interviews{props.company ? ` · ${props.company.name}` : ""}
        </a>
        {props.signedIn ? (
          <>
            <a href="/hr/templates" onClick={onLink} aria-current={current("/hr/templates")}>
              Templates
            </a>
            <a href="/hr/invitations" onClick={onLink} aria-current={current("/hr/invitations")}>
              Invitations
            </a>
            <a href="/hr/setup" onClick={onLink} aria-current={current("/hr/setup")}>
              Company
            </a>
            <button
              type="button"
              class="secondary"
              onClick={() => {
                if (hr) void logout(hr.api).then(() => navigate("/login", true));
              }}
            >
              Log out
            </button>
          </>
        ) : (
          <>
            <a href="/login" onClick={onLink} aria-current={current("/login")}>
              Sign in
            </a>
            <a href="/signup" onClick={onLink} aria-current={current("/signup")}>
              Sign up
            </a>
          </>
        )}
      </nav>
    </header>
  );
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, true), [to]);
  return null;
}

function skipToMain(event: MouseEvent): void {
  event.preventDefault();
  const heading = document.querySelector<HTMLElement>("#main h1");
  heading?.focus();
}
