import {
  Content,
  ContentHeader,
  Header,
  Page,
  SupportButton,
} from '@backstage/core-components';
import { ReactNode } from 'react';

/**
 * A top-level page of the plugin: a header, a support button that says
 * what the page is about, and the page's content.
 */
export function DagCicdPage(props: {
  title: string;
  subtitle: string;
  /** What the support button explains. */
  help: ReactNode;
  children: ReactNode;
}) {
  return (
    <Page themeId="tool">
      <Header title={props.title} subtitle={props.subtitle} />
      <Content>
        <ContentHeader title="">
          <SupportButton>{props.help}</SupportButton>
        </ContentHeader>
        {props.children}
      </Content>
    </Page>
  );
}
